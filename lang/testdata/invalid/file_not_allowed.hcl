# file() while reading files is not allowed.
# want: 17: Error in function call
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
source "starrocks" "other" {
  hosts    = ["fe3"]
  user     = "root"
  password = file("password.txt")
}
