# Terraform and the AWS provider, pinned: a plan made today means the same thing next month.
terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }

  # State lives in S3 (bucket made once by hand, see docs/deploy.md): pass it at init with
  # `terraform init -backend-config=backend.hcl`, so no account detail sits in this file.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = var.name
      ManagedBy   = "terraform"
      Source      = "carrier-sales/deploy/aws"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# The two zones are named, not "the first two available": a zone AWS adds later must not
# move the subnets (and so the database) on the next plan.
data "aws_availability_zones" "chosen" {
  state = "available"

  filter {
    name   = "zone-name"
    values = local.zone_names
  }
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  zone_names = length(var.availability_zones) > 0 ? var.availability_zones : ["${var.region}a", "${var.region}b"]
  # Two zones: the load balancer, the tasks and Multi-AZ RDS each need two. Taken from the
  # data source so a zone missing in the account fails the plan, not the apply.
  zones = sort(data.aws_availability_zones.chosen.names)
  # The port the binary listens on (PORT) and the image EXPOSEs.
  container_port = 8080
}
