# a variable with no default and no value.
# want: 14: No value for required variable
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
variable "src_password" {
  sensitive = true
}
