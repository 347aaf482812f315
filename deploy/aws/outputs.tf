# What an operator and the deploy workflow need after `terraform apply`.

output "service_url" {
  description = "Where the service answers (the domain when set, else the load balancer's name; the certificate must cover it)."
  value       = "https://${var.domain_name != "" ? var.domain_name : aws_lb.main.dns_name}"
}

output "alb_dns_name" {
  description = "Point the domain's DNS at this (CNAME, or a Route 53 alias with alb_zone_id)."
  value       = aws_lb.main.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer, for a Route 53 alias record."
  value       = aws_lb.main.zone_id
}

output "ecr_repository_url" {
  description = "Push images here (tag = image_tag): the deploy workflow's ECR_REPOSITORY."
  value       = aws_ecr_repository.app.repository_url
}

output "ecs_cluster_name" {
  description = "The deploy workflow's ECS_CLUSTER."
  value       = aws_ecs_cluster.main.name
}

output "ecs_service_name" {
  description = "The deploy workflow's ECS_SERVICE."
  value       = aws_ecs_service.app.name
}

output "task_definition_family" {
  description = "The deploy workflow registers new revisions of this family."
  value       = aws_ecs_task_definition.app.family
}

output "container_name" {
  description = "Name of the container in the task definition (the deploy workflow replaces its image)."
  value       = var.name
}

output "log_group_name" {
  description = "The service's logs: aws logs tail <name> --follow."
  value       = aws_cloudwatch_log_group.app.name
}

output "secret_arns" {
  description = "Secrets to fill once with aws secretsmanager put-secret-value, by the setting they hold."
  value       = { for env_name, secret in aws_secretsmanager_secret.operator : env_name => secret.arn }
}

output "db_endpoint" {
  description = "The database's host:port (reachable from the tasks only)."
  value       = aws_db_instance.main.endpoint
}

output "db_master_secret_arn" {
  description = "RDS-managed secret holding the master user's password (the tasks' PGPASSWORD)."
  value       = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "github_deploy_role_arn" {
  description = "The deploy workflow's AWS_DEPLOY_ROLE_ARN (null without github_repository)."
  value       = one(aws_iam_role.github_deploy[*].arn)
}

output "vpc_id" {
  description = "The VPC the service runs in (made here, or vpc_id)."
  value       = local.vpc_id
}

output "private_subnet_ids" {
  description = "Subnets of the tasks (made here, or private_subnet_ids), for one-off tasks (aws ecs run-task)."
  value       = local.private_subnet_ids
}

output "tasks_security_group_id" {
  description = "Security group of the tasks, for one-off tasks (aws ecs run-task)."
  value       = aws_security_group.tasks.id
}
