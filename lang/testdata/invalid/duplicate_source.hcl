# two sources with the same name.
# want: 14: Duplicate source block
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
source "starrocks" "old" {
  hosts = ["fe9:9030"]
  user  = "root"
}
