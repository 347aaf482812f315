-- POSTs a JSON body with the agent key. BODY is the body; "%ID%" in it becomes a
-- unique id per request (so writes never collide and every request writes).
local key = os.getenv("BENCH_KEY")
local template = os.getenv("BENCH_BODY")
local counter = 0


function setup(thread)
  thread:set("thread_id", math.random(1, 1e9))
end

function request()
  counter = counter + 1
  local body = template:gsub("%%ID%%", thread_id .. "-" .. counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["api-key"] = key}, body)
end
