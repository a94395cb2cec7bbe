package org.rmaplab.traces;

/**
 * A traced task: pid N is task {@code pN} ({@code pN_2} if the pid is reused), with its thread
 * group, the traced mm it works on, and its descriptor table.
 */
final class Task {
    final int pid;
    final String name;
    int tgid;
    Layout mm;
    /** The task whose name the calls on mm are written with (the parent, for a vfork child before exec). */
    String opsAs;
    boolean vforked;
    boolean alive = true;
    /** The task's file descriptor table (shared with the tasks a CLONE_FILES clone made). */
    DescriptorTable fds = new DescriptorTable();

    Task(int pid, String name, int tgid, Layout mm) {
        this.pid = pid;
        this.name = name;
        this.tgid = tgid;
        this.mm = mm;
        this.opsAs = name;
    }
}
