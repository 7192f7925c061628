# a reference to a variable that is not declared.
# want: 19: Reference to undeclared input variable
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
variable "region" {
  default = "us-east-2"
}
storage "s3" "s3stage" {
  url    = "s3://bucket/prefix"
  region = var.regoin
}
