# The settings production must keep secret, by their README names. Terraform makes the
# secrets but never their values (so no key sits in its state): set them once with
# `aws secretsmanager put-secret-value` (docs/deploy.md). DATABASE_URL carries no password
# (RDS keeps it in its own secret, injected as PGPASSWORD), so Terraform writes it.

locals {
  # README name → secret made here, filled by the operator.
  operator_secrets = {
    API_KEYS      = "api-keys"
    FMCSA_WEB_KEY = "fmcsa-web-key"
    METRICS_TOKEN = "metrics-token"
  }

  # libpq verifies the server against the RDS CA bundle the image ships, and its host name.
  database_url = format(
    "postgres://%s@%s:%d/%s?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem",
    var.db_username,
    aws_db_instance.main.address,
    aws_db_instance.main.port,
    aws_db_instance.main.db_name,
  )
}

resource "aws_secretsmanager_secret" "operator" {
  #checkov:skip=CKV2_AWS_57:API keys, the FMCSA key and the metrics token are issued outside AWS; docs/deploy.md says how to rotate them
  for_each = local.operator_secrets

  name                    = "${var.name}/${each.value}"
  description             = "carrier-sales ${each.key} (set with aws secretsmanager put-secret-value)"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret" "database_url" {
  #checkov:skip=CKV2_AWS_57:holds no password (host, user, database, TLS mode); the password is RDS-managed and rotated by RDS
  name                    = "${var.name}/database-url"
  description             = "carrier-sales DATABASE_URL without password; PGPASSWORD comes from the RDS-managed secret"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id     = aws_secretsmanager_secret.database_url.id
  secret_string = local.database_url
}
