# a day that is not a weekday.
# want: 16: Invalid day
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
throttle "default" {
  window "weekend" {
    days = ["sat", "sonday"]
  }
}
