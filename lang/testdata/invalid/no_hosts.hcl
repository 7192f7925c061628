# an empty hosts list.
# want: 15: No hosts
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
  hosts = []
  user  = "root"
}
