# shellcheck shell=bash
# Picks a JDK >= 21 for the scripts of this repository (.ci/run, ./roomcast, deploy/local-cluster,
# bots/bench). Source it, then:
#   JAVA_HOME=$(pick_jdk) || { echo "no JDK >= 21; found: $(found_javas)" >&2; exit 1; }
# It looks at $JAVA_HOME, the `java` on PATH, then the JDK homes under /usr/lib/jvm, /opt/java and
# /opt (ROOMCAST_JDK_DIRS, space-separated, replaces that list) and takes the newest JDK (a java
# with a javac beside it: the Maven wrapper compiles) of version 21 or more.

# Prints the feature version of the java binary $1 (e.g. 25), or nothing.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

# Prints the java binaries to consider, one a line, each once (symlinks resolved), in the order above.
java_candidates() {
  local java dir seen=" " real
  {
    [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME/bin/java"
    command -v java 2>/dev/null || true
    for dir in ${ROOMCAST_JDK_DIRS-/usr/lib/jvm /opt/java /opt}; do
      for java in "$dir"/*/bin/java; do echo "$java"; done
    done
  } | while IFS= read -r java; do
    [ -x "$java" ] || continue
    real=$(readlink -f "$java")
    case "$seen" in *" $real "*) continue ;; esac
    seen+="$real "
    echo "$real"
  done
}

# Prints the home of the newest JDK >= 21 found; returns 1 if there is none.
pick_jdk() {
  local best="" best_major=0 java major
  while IFS= read -r java; do
    [ -x "$(dirname "$java")/javac" ] || continue
    major=$(java_major "$java")
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best="$java"; best_major=$major; fi
  done < <(java_candidates)
  [ -n "$best" ] || return 1
  dirname "$(dirname "$best")"
}

# Prints what pick_jdk looked at, for an error message: "java 17 (/usr/lib/jvm/java-17-openjdk-amd64),
# java 21 without javac (/opt/jre-21)", or "no java at all".
found_javas() {
  local java major home found=()
  while IFS= read -r java; do
    major=$(java_major "$java")
    home=$(dirname "$(dirname "$java")")
    if [ -x "$(dirname "$java")/javac" ]; then
      found+=("java ${major:-?} ($home)")
    else
      found+=("java ${major:-?} without javac, a JRE ($home)")
    fi
  done < <(java_candidates)
  if [ ${#found[@]} -eq 0 ]; then
    echo "no java at all"
  else
    local IFS=,
    echo "${found[*]}" | sed 's/,/, /g'
  fi
}
