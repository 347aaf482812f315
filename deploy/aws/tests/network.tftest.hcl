# The two network modes, planned against a mocked AWS provider (no account, no network):
# `terraform test` in deploy/aws, or `make check-infra`. A VPC made here, or a given one
# whose subnets every consumer uses; and each way a given network is refused at plan time.

mock_provider "aws" {
  # Policies must be JSON for the roles and the key that use them.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["us-east-1a", "us-east-1b"] }
  }
  # Apply (mocked) checks the ARNs one resource hands another.
  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/carrier-sales/0123456789abcdef" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/carrier-sales/0123456789abcdef" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mocked" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds-master", kms_key_id = "k", secret_status = "active" }]
    }
  }

  # The given network: vpc-0a1b2c3d4e5f60001 (two IPv4 blocks), two public and two private
  # subnets in us-east-1a and us-east-1b (the file's variables). Read only with vpc_id.
  override_data {
    target = data.aws_vpc.given[0]
    values = {
      id                 = "vpc-0a1b2c3d4e5f60001"
      cidr_block         = "10.1.0.0/16"
      enable_dns_support = true
      cidr_block_associations = [
        { association_id = "a1", cidr_block = "10.1.0.0/16", state = "associated" },
        { association_id = "a2", cidr_block = "100.64.0.0/20", state = "associated" },
        { association_id = "a3", cidr_block = "10.9.0.0/16", state = "disassociated" },
      ]
    }
  }
  override_data {
    target = data.aws_subnet.given["subnet-0a1b2c3d4e5f6000a"]
    values = { id = "subnet-0a1b2c3d4e5f6000a", vpc_id = "vpc-0a1b2c3d4e5f60001", availability_zone = "us-east-1a" }
  }
  override_data {
    target = data.aws_subnet.given["subnet-0a1b2c3d4e5f6000b"]
    values = { id = "subnet-0a1b2c3d4e5f6000b", vpc_id = "vpc-0a1b2c3d4e5f60001", availability_zone = "us-east-1b" }
  }
  override_data {
    target = data.aws_subnet.given["subnet-0a1b2c3d4e5f6001a"]
    values = { id = "subnet-0a1b2c3d4e5f6001a", vpc_id = "vpc-0a1b2c3d4e5f60001", availability_zone = "us-east-1a" }
  }
  override_data {
    target = data.aws_subnet.given["subnet-0a1b2c3d4e5f6001b"]
    values = { id = "subnet-0a1b2c3d4e5f6001b", vpc_id = "vpc-0a1b2c3d4e5f60001", availability_zone = "us-east-1b" }
  }
}

# The given network by default; the runs of the VPC made here clear it.
variables {
  certificate_arn    = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  access_logs_bucket = "example-carrier-sales-alb-logs"
  image_tag          = "v0.1.0"
  vpc_id             = "vpc-0a1b2c3d4e5f60001"
  public_subnet_ids  = ["subnet-0a1b2c3d4e5f6000a", "subnet-0a1b2c3d4e5f6000b"]
  private_subnet_ids = ["subnet-0a1b2c3d4e5f6001a", "subnet-0a1b2c3d4e5f6001b"]
}

run "without_vpc_id_the_module_makes_the_whole_network" {
  command = apply

  variables {
    vpc_id             = null
    public_subnet_ids  = []
    private_subnet_ids = []
  }

  assert {
    condition     = length(aws_vpc.main) == 1 && length(aws_subnet.public) == 2 && length(aws_subnet.private) == 2
    error_message = "a VPC with two public and two private subnets"
  }
  assert {
    condition     = length(aws_nat_gateway.main) == 2 && length(aws_flow_log.main) == 1 && length(aws_default_security_group.main) == 1
    error_message = "a NAT gateway per zone, flow logs and the closed default security group"
  }
  assert {
    condition     = toset(aws_lb.main.subnets) == toset(aws_subnet.public[*].id)
    error_message = "the load balancer sits in the public subnets made here"
  }
  assert {
    condition     = toset(one(aws_ecs_service.app.network_configuration).subnets) == toset(aws_subnet.private[*].id)
    error_message = "the tasks run in the private subnets made here"
  }
  assert {
    condition     = toset(aws_db_subnet_group.main.subnet_ids) == toset(aws_subnet.private[*].id)
    error_message = "the database sits in the private subnets made here"
  }
  assert {
    condition     = output.private_subnet_ids == tolist(aws_subnet.private[*].id)
    error_message = "the private_subnet_ids output names the private subnets made here"
  }
  assert {
    condition     = alltrue([for sg in [aws_security_group.alb, aws_security_group.tasks, aws_security_group.db] : sg.vpc_id == aws_vpc.main[0].id]) && aws_lb_target_group.app.vpc_id == aws_vpc.main[0].id && output.vpc_id == aws_vpc.main[0].id
    error_message = "security groups, target group and output name the VPC made here"
  }
  assert {
    condition     = local.container_environment.TRUSTED_PROXIES == "10.40.0.0/16"
    error_message = "TRUSTED_PROXIES is vpc_cidr, got ${local.container_environment.TRUSTED_PROXIES}"
  }
}

run "single_nat_gateway_makes_one" {
  command = plan

  variables {
    vpc_id             = null
    public_subnet_ids  = []
    private_subnet_ids = []
    single_nat_gateway = true
  }

  assert {
    condition     = length(aws_nat_gateway.main) == 1 && length(aws_route_table.private) == 2
    error_message = "one NAT gateway routed from both private subnets"
  }
}

run "with_vpc_id_the_module_makes_no_network_and_uses_the_given_one" {
  command = apply

  assert {
    condition = (
      length(aws_vpc.main) + length(aws_subnet.public) + length(aws_subnet.private) + length(aws_internet_gateway.main)
      + length(aws_nat_gateway.main) + length(aws_eip.nat) + length(aws_route_table.public) + length(aws_route_table.private)
      + length(aws_route_table_association.public) + length(aws_route_table_association.private)
      + length(aws_flow_log.main) + length(aws_cloudwatch_log_group.flow) + length(aws_iam_role.flow_logs)
      + length(aws_default_security_group.main) == 0
    )
    error_message = "no VPC, subnet, gateway, route table, flow log or default security group is made for a given VPC"
  }
  assert {
    condition     = toset(aws_lb.main.subnets) == toset(var.public_subnet_ids)
    error_message = "the load balancer sits in public_subnet_ids"
  }
  assert {
    condition     = toset(one(aws_ecs_service.app.network_configuration).subnets) == toset(var.private_subnet_ids)
    error_message = "the tasks run in private_subnet_ids"
  }
  assert {
    condition     = toset(aws_db_subnet_group.main.subnet_ids) == toset(var.private_subnet_ids)
    error_message = "the database sits in private_subnet_ids"
  }
  assert {
    condition     = output.private_subnet_ids == var.private_subnet_ids
    error_message = "the private_subnet_ids output names private_subnet_ids"
  }
  assert {
    condition     = alltrue([for sg in [aws_security_group.alb, aws_security_group.tasks, aws_security_group.db] : sg.vpc_id == var.vpc_id]) && aws_lb_target_group.app.vpc_id == var.vpc_id && output.vpc_id == var.vpc_id
    error_message = "security groups, target group and output name the given VPC"
  }
  assert {
    condition     = local.container_environment.TRUSTED_PROXIES == "10.1.0.0/16,100.64.0.0/20"
    error_message = "TRUSTED_PROXIES is the given VPC's associated IPv4 blocks, got ${local.container_environment.TRUSTED_PROXIES}"
  }
}

run "subnet_ids_without_vpc_id_are_refused" {
  command = plan

  variables {
    vpc_id = null
  }

  expect_failures = [aws_vpc.main]
}

run "vpc_id_without_subnets_is_refused" {
  command = plan

  variables {
    public_subnet_ids  = []
    private_subnet_ids = []
  }

  expect_failures = [data.aws_vpc.given]
}

run "one_subnet_is_refused" {
  command = plan

  variables {
    public_subnet_ids = ["subnet-0a1b2c3d4e5f6000a"]
  }

  expect_failures = [var.public_subnet_ids]
}

run "a_subnet_in_both_lists_is_refused" {
  command = plan

  variables {
    private_subnet_ids = ["subnet-0a1b2c3d4e5f6000a", "subnet-0a1b2c3d4e5f6001b"]
  }

  expect_failures = [data.aws_vpc.given]
}

run "made_vpc_settings_with_vpc_id_are_refused" {
  command = plan

  variables {
    single_nat_gateway = true
  }

  expect_failures = [data.aws_vpc.given]
}

run "a_subnet_of_another_vpc_is_refused" {
  command = plan

  override_data {
    target = data.aws_subnet.given["subnet-0a1b2c3d4e5f6001b"]
    values = { id = "subnet-0a1b2c3d4e5f6001b", vpc_id = "vpc-0a1b2c3d4e5f60002", availability_zone = "us-east-1b" }
  }

  expect_failures = [data.aws_subnet.given]
}

run "public_subnets_in_one_zone_are_refused" {
  command = plan

  override_data {
    target = data.aws_subnet.given["subnet-0a1b2c3d4e5f6000b"]
    values = { id = "subnet-0a1b2c3d4e5f6000b", vpc_id = "vpc-0a1b2c3d4e5f60001", availability_zone = "us-east-1a" }
  }

  # Refused as the private subnet in us-east-1b now has no load balancer in its zone.
  expect_failures = [data.aws_vpc.given]
}

run "private_subnets_in_one_zone_are_refused" {
  command = plan

  override_data {
    target = data.aws_subnet.given["subnet-0a1b2c3d4e5f6001b"]
    values = { id = "subnet-0a1b2c3d4e5f6001b", vpc_id = "vpc-0a1b2c3d4e5f60001", availability_zone = "us-east-1a" }
  }

  expect_failures = [data.aws_vpc.given]
}

run "private_subnets_outside_the_load_balancers_zones_are_refused" {
  command = plan

  override_data {
    target = data.aws_subnet.given["subnet-0a1b2c3d4e5f6001b"]
    values = { id = "subnet-0a1b2c3d4e5f6001b", vpc_id = "vpc-0a1b2c3d4e5f60001", availability_zone = "us-east-1c" }
  }

  expect_failures = [data.aws_vpc.given]
}

run "a_vpc_without_dns_resolution_is_refused" {
  command = plan

  override_data {
    target = data.aws_vpc.given[0]
    values = { id = "vpc-0a1b2c3d4e5f60001", cidr_block = "10.1.0.0/16", enable_dns_support = false, cidr_block_associations = [] }
  }

  expect_failures = [data.aws_vpc.given]
}
