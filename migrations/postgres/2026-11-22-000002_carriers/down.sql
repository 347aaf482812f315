DROP TABLE verifications;
DROP TABLE carriers;
