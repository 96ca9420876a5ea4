package io.roomcast.bots;

import java.util.ArrayList;
import java.util.List;

/** A server process given with {@code --server-pid [LABEL=]PID}; {@code redis} when its command is redis-server. */
record ServerProcess(String label, String pid, String command, boolean redis) {

    /** Parses every {@code --server-pid}; IllegalArgumentException (a usage error) for a bad one. */
    static List<ServerProcess> parse(List<String> specs) {
        List<ServerProcess> processes = new ArrayList<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String pid = (eq >= 0 ? spec.substring(eq + 1) : spec).trim();
            if (!pid.matches("\\d+")) {
                throw new IllegalArgumentException("--server-pid wants [LABEL=]PID, was " + spec);
            }
            String comm = ProcStat.comm(pid);
            String label = eq >= 0 ? spec.substring(0, eq).trim() : (comm.isEmpty() ? "pid" : comm) + "-" + pid;
            processes.add(new ServerProcess(label, pid, comm, comm.startsWith("redis")));
        }
        return processes;
    }
}
