#!/bin/sh
# docker-compose one-shot (minio/mc): Parley's bucket, its lifecycle rule (media expire after 7 days,
# the media service's MEDIA_TTL_MS; it sets the same rule itself at start) and a MinIO user that
# may use only that bucket. Safe to run again.
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "local/$S3_BUCKET"
# import replaces the bucket's whole lifecycle configuration: the same result however often it runs.
mc ilm import "local/$S3_BUCKET" < /config/minio-lifecycle.json

cat > /tmp/parley-policy.json <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::$S3_BUCKET", "arn:aws:s3:::$S3_BUCKET/*"] }
  ]
}
POLICY
mc admin policy create local parley-media /tmp/parley-policy.json
mc admin user add local "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
# attach fails when the policy is attached already: that is success here.
mc admin policy attach local parley-media --user "$S3_ACCESS_KEY" ||
  mc admin user info local "$S3_ACCESS_KEY" | grep -q parley-media
mc ilm rule ls "local/$S3_BUCKET"
