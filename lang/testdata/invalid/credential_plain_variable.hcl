# a storage key from a variable without sensitive = true.
# want: 23: Credential not marked sensitive
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
variable "key" {
  default = "AKIAEXAMPLE"
}
variable "secret" {
  sensitive = true
  default   = "x"
}
storage "s3" "s3stage" {
  url        = "s3://bucket/prefix"
  access_key = var.key
  secret_key = var.secret
}
