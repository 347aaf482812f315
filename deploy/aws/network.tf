# The network, made here or given. Made (vpc_id null): a VPC across two zones whose public
# subnets hold only the load balancer and the NAT gateways, while the tasks and the
# database sit in private subnets with no route in from the internet. Given (vpc_id and
# its subnets): this file makes nothing and checks at plan time what the rest relies on.
# Every other file reads only the locals below, so it does not care which.

locals {
  # Spelled out: checkov 3.3.30 takes a bare `var.vpc_id == null` for false and then
  # silently skips every resource counted on it, the VPC made by default included.
  create_vpc = var.vpc_id == null ? true : false

  vpc_id             = local.create_vpc ? aws_vpc.main[0].id : data.aws_vpc.given[0].id
  public_subnet_ids  = local.create_vpc ? aws_subnet.public[*].id : [for id in var.public_subnet_ids : data.aws_subnet.given[id].id]
  private_subnet_ids = local.create_vpc ? aws_subnet.private[*].id : [for id in var.private_subnet_ids : data.aws_subnet.given[id].id]
  # TRUSTED_PROXIES: the load balancer's nodes take addresses in the public subnets, and a
  # given VPC's subnets may lie in any of its IPv4 blocks.
  vpc_cidr_blocks = local.create_vpc ? [var.vpc_cidr] : distinct(concat(
    [data.aws_vpc.given[0].cidr_block],
    [for block in data.aws_vpc.given[0].cidr_block_associations : block.cidr_block if block.state == "associated"],
  ))

  # Per-zone pieces of the VPC made here (none for a given one).
  zone_count = local.create_vpc ? 2 : 0
  nat_count  = local.create_vpc ? (var.single_nat_gateway ? 1 : 2) : 0
  zone_names = length(var.availability_zones) > 0 ? var.availability_zones : ["${var.region}a", "${var.region}b"]
  # Taken from the data source so a zone missing in the account fails the plan, not the apply.
  zones = local.create_vpc ? sort(data.aws_availability_zones.chosen[0].names) : []

  # The zones of a given VPC's subnets, for the checks on data.aws_vpc.given.
  given_public_zones  = [for id in var.public_subnet_ids : data.aws_subnet.given[id].availability_zone if !local.create_vpc]
  given_private_zones = [for id in var.private_subnet_ids : data.aws_subnet.given[id].availability_zone if !local.create_vpc]
}

# The two zones are named, not "the first two available": a zone AWS adds later must not
# move the subnets (and so the database) on the next plan.
data "aws_availability_zones" "chosen" {
  count = local.create_vpc ? 1 : 0

  state = "available"

  filter {
    name   = "zone-name"
    values = local.zone_names
  }
}

# ---- A given VPC: read, and refused at plan time when it cannot carry the service.

data "aws_subnet" "given" {
  for_each = local.create_vpc ? toset([]) : toset(concat(var.public_subnet_ids, var.private_subnet_ids))

  id = each.key

  lifecycle {
    postcondition {
      condition     = self.vpc_id == var.vpc_id
      error_message = "${self.id} belongs to ${self.vpc_id}, not to vpc_id ${var.vpc_id}."
    }
  }
}

data "aws_vpc" "given" {
  count = local.create_vpc ? 0 : 1

  id = var.vpc_id

  lifecycle {
    precondition {
      condition     = length(var.public_subnet_ids) >= 2 && length(var.private_subnet_ids) >= 2
      error_message = "vpc_id is set: give its subnets too, at least two in public_subnet_ids (load balancer) and two in private_subnet_ids (tasks, database)."
    }
    precondition {
      condition     = length(setintersection(var.public_subnet_ids, var.private_subnet_ids)) == 0
      error_message = "public_subnet_ids and private_subnet_ids share a subnet: the tasks and the database belong in subnets without a route from the internet."
    }
    precondition {
      condition     = length(var.availability_zones) == 0 && !var.single_nat_gateway
      error_message = "availability_zones and single_nat_gateway shape the VPC this module makes; with vpc_id the given subnets decide the zones and the VPC's own NAT serves them. Remove them."
    }
    # RDS needs a subnet group over two zones; the load balancer sends nothing to a target
    # in a zone it is not in (Target.NotInUse), so it spans those two zones as well. (Too
    # few subnets get the one message above.)
    precondition {
      condition     = length(var.private_subnet_ids) < 2 || length(distinct(local.given_private_zones)) >= 2
      error_message = "private_subnet_ids: the database needs subnets in at least two zones; these are all in ${join(", ", distinct(local.given_private_zones))}."
    }
    precondition {
      condition     = length(var.public_subnet_ids) < 2 || length(setsubtract(local.given_private_zones, local.given_public_zones)) == 0
      error_message = "public_subnet_ids: the load balancer needs a subnet in every zone of private_subnet_ids, or the tasks in ${join(", ", setsubtract(local.given_private_zones, local.given_public_zones))} get no traffic."
    }
    # The tasks find the database and FMCSA through the VPC's resolver.
    postcondition {
      condition     = self.enable_dns_support
      error_message = "vpc_id: ${var.vpc_id} has DNS resolution turned off; the tasks need it to find the database and FMCSA (enableDnsSupport)."
    }
  }
}

# ---- A VPC made here.

resource "aws_vpc" "main" {
  count = local.create_vpc ? 1 : 0

  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }

  lifecycle {
    precondition {
      condition     = length(var.public_subnet_ids) == 0 && length(var.private_subnet_ids) == 0
      error_message = "public_subnet_ids and private_subnet_ids name subnets of an existing VPC: set vpc_id to that VPC too, or leave them empty for the VPC this module makes."
    }
  }
}

# The default security group of the VPC allows nothing, so nothing lands in it by accident.
resource "aws_default_security_group" "main" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.main[0].id

  tags = { Name = "${var.name}-default-closed" }
}

resource "aws_subnet" "public" {
  count = local.zone_count

  vpc_id            = aws_vpc.main[0].id
  availability_zone = local.zones[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)

  tags = { Name = "${var.name}-public-${local.zones[count.index]}" }
}

resource "aws_subnet" "private" {
  count = local.zone_count

  vpc_id            = aws_vpc.main[0].id
  availability_zone = local.zones[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + 8)

  tags = { Name = "${var.name}-private-${local.zones[count.index]}" }
}

resource "aws_internet_gateway" "main" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.main[0].id

  tags = { Name = var.name }
}

resource "aws_route_table" "public" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.main[0].id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main[0].id
  }

  tags = { Name = "${var.name}-public" }
}

resource "aws_route_table_association" "public" {
  count = local.zone_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"

  tags = { Name = "${var.name}-nat-${local.zones[count.index]}" }
}

# Tasks reach FMCSA, ECR, Secrets Manager and CloudWatch through these.
resource "aws_nat_gateway" "main" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = { Name = "${var.name}-${local.zones[count.index]}" }

  depends_on = [aws_internet_gateway.main]
}

resource "aws_route_table" "private" {
  count = local.zone_count

  vpc_id = aws_vpc.main[0].id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.main[min(count.index, local.nat_count - 1)].id
  }

  tags = { Name = "${var.name}-private-${local.zones[count.index]}" }
}

resource "aws_route_table_association" "private" {
  count = local.zone_count

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# VPC flow logs: who talked to what, for an incident review.
resource "aws_cloudwatch_log_group" "flow" {
  count = local.create_vpc ? 1 : 0

  name              = "/vpc/${var.name}/flow"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_flow_log" "main" {
  count = local.create_vpc ? 1 : 0

  vpc_id               = aws_vpc.main[0].id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow[0].arn
  iam_role_arn         = aws_iam_role.flow_logs[0].arn
}

data "aws_iam_policy_document" "flow_logs_assume" {
  count = local.create_vpc ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  count = local.create_vpc ? 1 : 0

  name               = "${var.name}-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume[0].json
}

data "aws_iam_policy_document" "flow_logs" {
  count = local.create_vpc ? 1 : 0

  statement {
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogGroups",
      "logs:DescribeLogStreams",
    ]
    resources = [aws_cloudwatch_log_group.flow[0].arn, "${aws_cloudwatch_log_group.flow[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  count = local.create_vpc ? 1 : 0

  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}
