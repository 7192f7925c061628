# two variables with the same name.
# want: 17: Duplicate variable declaration
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
  default = "a"
}
variable "region" {
  default = "b"
}
