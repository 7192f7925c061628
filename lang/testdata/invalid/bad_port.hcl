# a host with an out-of-range port.
# want: 17: Invalid port
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
  hosts = [
    "fe3:9030",
    "fe4:90300",
  ]
  user = "root"
}
