# shellcheck shell=bash
# Picks a JDK >= 21 for the scripts of this repository (.ci/run, deploy/local-cluster).
# Source it, then:   JAVA_HOME=$(pick_jdk) || { echo "no JDK >= 21" >&2; exit 1; }
# It looks at $JAVA_HOME, the `java` on PATH, then /usr/lib/jvm/*, /opt/java/*, /opt/* and takes
# the newest JDK (a java with a javac beside it: the Maven wrapper compiles) of version 21 or more.

# Prints the feature version of the java binary $1 (e.g. 25), or nothing.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

# Prints the home of the newest JDK >= 21 found; returns 1 if there is none.
pick_jdk() {
  local candidates=() best="" best_major=0 java major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for java in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*/bin/java; do
    [ -x "$java" ] && candidates+=("$java")
  done
  for java in "${candidates[@]}"; do
    if [ ! -x "$java" ] || [ ! -x "$(dirname "$java")/javac" ]; then continue; fi
    major=$(java_major "$java")
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best="$java"; best_major=$major; fi
  done
  [ -n "$best" ] || return 1
  dirname "$(dirname "$best")"
}
