package org.rmaplab.traces;

import org.rmaplab.traces.StraceParser.Call;

/**
 * A memory call to convert: call C of task TASK, with its arguments. It acts on the task's mm and
 * is written with the name of the task whose mm that is ({@link Task#opsAs}: the parent, for a
 * vfork child before its execve).
 */
record MemoryCall(Task task, Call call, StraceArgs args) {
    String who() {
        return task.opsAs;
    }

    Layout mm() {
        return task.mm;
    }

    /** The end of a converted call's line: {@code   # trace:LINE}. */
    String at() {
        return "   # trace:" + call.line();
    }
}
