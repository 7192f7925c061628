# a reference to a local value that is not defined.
# want: 18: Reference to undeclared local value
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
locals {
  bucket = "b"
}
storage "s3" "s3stage" {
  url = "s3://${local.bukcet}/prefix"
}
