DROP TABLE rejected_webhooks;
