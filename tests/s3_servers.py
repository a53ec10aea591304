"""Real S3 server processes on 127.0.0.1 (SeaweedFS, ministack), started by fixtures."""
