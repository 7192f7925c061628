# an access key without a secret key.
# want: 20: Incomplete credentials
source "starrocks" "old" {
  hosts = ["fe1:9030"]
  user  = "root"
}
target "starrocks" "new" {
  hosts = ["fe2:9030"]
  user  = "root"
}
storage "local" "stage" {
  path = "./stage"
}
variable "access_key" {
  sensitive = true
  default   = "AKIAEXAMPLE"
}
storage "s3" "s3stage" {
  url        = "s3://bucket/prefix"
  access_key = var.access_key
}
