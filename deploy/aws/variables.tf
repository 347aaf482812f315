# Every input of the deployment. Only certificate_arn, access_logs_bucket and image_tag
# have no default; terraform.tfvars.example shows a complete set.

variable "name" {
  description = "Name prefix for every resource (ECS cluster and service, ECR repository, database identifier, secret paths)."
  type        = string
  default     = "carrier-sales"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name))
    error_message = "name: 3-24 characters, lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region to deploy into, e.g. us-east-1."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region: an AWS region name such as us-east-1."
  }
}

variable "vpc_id" {
  description = "An existing VPC to deploy into (with public_subnet_ids and private_subnet_ids), e.g. vpc-0a1b2c3d4e5f67890; null makes a VPC for the service (vpc_cidr, availability_zones, single_nat_gateway). The VPC must have DNS resolution on."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null || can(regex("^vpc-([0-9a-f]{8}|[0-9a-f]{17})$", var.vpc_id))
    error_message = "vpc_id: a VPC id such as vpc-0a1b2c3d4e5f67890, or null."
  }
}

variable "public_subnet_ids" {
  description = "With vpc_id: subnets of that VPC for the load balancer, in at least two zones, each routed to an internet gateway. Empty without vpc_id."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.public_subnet_ids) == 0 || length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids: at least two subnets (the load balancer spans two zones), or empty without vpc_id."
  }

  validation {
    condition     = alltrue([for id in var.public_subnet_ids : can(regex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", id))]) && length(distinct(var.public_subnet_ids)) == length(var.public_subnet_ids)
    error_message = "public_subnet_ids: distinct subnet ids such as subnet-0a1b2c3d4e5f67890."
  }
}

variable "private_subnet_ids" {
  description = "With vpc_id: subnets of that VPC for the tasks and the database, in at least two of the public subnets' zones, with no route in from the internet and a route out (a NAT gateway) for HTTPS to FMCSA and the AWS APIs. Empty without vpc_id."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.private_subnet_ids) == 0 || length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids: at least two subnets (the database spans two zones), or empty without vpc_id."
  }

  validation {
    condition     = alltrue([for id in var.private_subnet_ids : can(regex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", id))]) && length(distinct(var.private_subnet_ids)) == length(var.private_subnet_ids)
    error_message = "private_subnet_ids: distinct subnet ids such as subnet-0a1b2c3d4e5f67890."
  }
}

variable "vpc_cidr" {
  description = "Address block of the VPC made for the service (without vpc_id); split into two public and two private subnets. Also the TRUSTED_PROXIES value, so client addresses come through the load balancer (with vpc_id: the given VPC's blocks)."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr: an IPv4 CIDR block of /20 or larger, e.g. 10.40.0.0/16."
  }
}

variable "availability_zones" {
  description = "The two zones of the VPC made here, e.g. [\"us-east-1a\", \"us-east-1b\"]; empty means the region's a and b zones. Not with vpc_id (the given subnets decide)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || length(var.availability_zones) == 2
    error_message = "availability_zones: exactly two zone names, or empty."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both zones of the VPC made here (cheaper; tasks in the other zone lose FMCSA and image pulls if that zone fails) instead of one per zone. Not with vpc_id."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate for the HTTPS listener (issued in this region, DNS-validated), e.g. for carriers.example.com."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", var.certificate_arn))
    error_message = "certificate_arn: an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)."
  }
}

variable "domain_name" {
  description = "Host name the certificate covers and DNS points at the load balancer (only used for the service_url output); empty uses the load balancer's own name."
  type        = string
  default     = ""

  validation {
    condition     = var.domain_name == "" || can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name: a host name such as carriers.example.com, or empty."
  }
}

variable "access_logs_bucket" {
  description = "Existing S3 bucket (same region, SSE-S3, policy letting the regional load balancer account write) that receives the load balancer's access logs."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logs_bucket))
    error_message = "access_logs_bucket: an S3 bucket name."
  }
}

variable "alb_deletion_protection" {
  description = "Refuse to delete the load balancer (turn off before `terraform destroy`)."
  type        = bool
  default     = true
}

variable "alb_idle_timeout" {
  description = "Seconds the load balancer keeps a quiet connection open. The dashboard's live events send a heartbeat every 5 s, so any value above that keeps them open; the default leaves room for slow clients."
  type        = number
  default     = 300

  validation {
    condition     = var.alb_idle_timeout >= 60 && var.alb_idle_timeout <= 4000
    error_message = "alb_idle_timeout: 60 to 4000 seconds."
  }
}

variable "image_tag" {
  description = "Tag of the image in the ECR repository the task runs (the deploy workflow pushes one per release tag, e.g. v1.2.0)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag: a Docker tag (letters, digits, _ . -, up to 128 characters)."
  }
}

variable "task_cpu" {
  description = "CPU units per task (1024 = one vCPU)."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.task_cpu)
    error_message = "task_cpu: one of 256, 512, 1024, 2048, 4096."
  }
}

variable "task_memory" {
  description = "Memory per task in MiB; must be a Fargate combination with task_cpu (512 CPU: 1024-4096)."
  type        = number
  default     = 1024

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 30720
    error_message = "task_memory: 512 to 30720 MiB."
  }
}

variable "min_tasks" {
  description = "Fewest running tasks (also the starting count). Two or more keep the service up through a zone failure and a deploy."
  type        = number
  default     = 2

  validation {
    condition     = var.min_tasks >= 2
    error_message = "min_tasks: at least 2."
  }
}

variable "max_tasks" {
  description = "Most tasks CPU auto scaling may run."
  type        = number
  default     = 6

  validation {
    condition     = var.max_tasks >= 2 && var.max_tasks <= 100
    error_message = "max_tasks: 2 to 100 (and not below min_tasks)."
  }
}

variable "cpu_target_percent" {
  description = "Average service CPU utilisation auto scaling aims for."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent: 10 to 90."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the service's and the VPC flow logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days: a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653)."
  }
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic that receives the alarms (5xx answers, unhealthy tasks, database CPU and storage); null sends them nowhere (they still show in CloudWatch)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.alarm_sns_topic_arn))
    error_message = "alarm_sns_topic_arn: an SNS topic ARN, or null."
  }
}

variable "alarm_5xx_per_5_minutes" {
  description = "5xx answers (from the tasks or the load balancer) in five minutes that raise the alarm."
  type        = number
  default     = 10

  validation {
    condition     = var.alarm_5xx_per_5_minutes >= 1
    error_message = "alarm_5xx_per_5_minutes: at least 1."
  }
}

variable "postgres_version" {
  description = "RDS PostgreSQL major version (the parameter group family follows it)."
  type        = string
  default     = "17"

  validation {
    condition     = can(regex("^1[3-9]$", var.postgres_version))
    error_message = "postgres_version: a major version, 13 or later (the product needs PostgreSQL 13+)."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.small"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.db_instance_class))
    error_message = "db_instance_class: an RDS class such as db.t4g.small."
  }
}

variable "db_performance_insights" {
  description = "Turn on Performance Insights (7 days, free tier); needs a class that supports it (db.t4g.medium or larger)."
  type        = bool
  default     = false
}

variable "db_allocated_storage" {
  description = "Initial database storage in GiB (gp3); storage grows by itself up to db_max_allocated_storage."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage >= 20 && var.db_allocated_storage <= 65536
    error_message = "db_allocated_storage: 20 to 65536 GiB."
  }
}

variable "db_max_allocated_storage" {
  description = "Ceiling in GiB for storage auto scaling."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_allocated_storage >= 20 && var.db_max_allocated_storage <= 65536
    error_message = "db_max_allocated_storage: 20 to 65536 GiB."
  }
}

variable "db_multi_az" {
  description = "A standby database in the second zone with automatic failover."
  type        = bool
  default     = true
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database (turn off before `terraform destroy`)."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days: 7 to 35."
  }
}

variable "db_username" {
  description = "Master user of the database; RDS keeps its password in Secrets Manager."
  type        = string
  default     = "carrier_sales"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_username)) && var.db_username != "postgres"
    error_message = "db_username: lower-case letters, digits and _, starting with a letter, not 'postgres'."
  }
}

variable "fmcsa_offline" {
  description = "Run on the bundled offline FMCSA snapshot (a demo without an FMCSA web key: FMCSA_OFFLINE=true)."
  type        = bool
  default     = false
}

variable "app_environment" {
  description = "More settings for the container by their README names (e.g. SALES_REPS, CORS_ORIGINS, CARRIER_SALES__NEGOTIATION__MAX_MARKUP); not for secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.app_environment) : can(regex("^[A-Z][A-Z0-9_]*$", k))])
    error_message = "app_environment: keys are upper-case setting names such as SALES_REPS."
  }

  validation {
    condition     = length(setintersection(keys(var.app_environment), ["DATABASE_URL", "API_KEYS", "FMCSA_WEB_KEY", "METRICS_TOKEN", "PGPASSWORD", "HAPPYROBOT_API_KEY", "HOST", "PORT", "CARRIER_SALES_ENV", "TRUSTED_PROXIES"])) == 0
    error_message = "app_environment: secrets come from Secrets Manager and HOST, PORT, CARRIER_SALES_ENV, TRUSTED_PROXIES are set by this module."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose deploy workflow may push images and update the service (through OIDC, no stored keys); empty makes no deploy role."
  type        = string
  default     = ""

  validation {
    condition     = var.github_repository == "" || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository: owner/name, or empty."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of the account's existing token.actions.githubusercontent.com OIDC provider (an account holds one); null makes it."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn: the IAM OIDC provider ARN for token.actions.githubusercontent.com, or null."
  }
}
