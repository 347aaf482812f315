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

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  # The port the binary listens on (PORT) and the image EXPOSEs.
  container_port = 8080
}
