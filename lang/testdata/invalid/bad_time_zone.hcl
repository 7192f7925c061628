# a time zone that does not exist.
# want: 17: Invalid time zone
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
  window "night" {
    hours     = "20:00-08:00"
    time_zone = "Europe/Atlantis"
  }
}
