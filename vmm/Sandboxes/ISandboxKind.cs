namespace Vmm.Sandboxes;

/// <summary>
/// What differs between sandbox kinds: the link behind the host end of a sandbox's /30 and what
/// runs behind it. Everything they share — the address block, the host interface's name, the
/// nftables chains, registration with the gateway, the record in the state directory and rollback
/// on failure — is done by <see cref="SandboxManager"/> around these calls.
/// </summary>
internal interface ISandboxKind
{
    /// <summary>The value of <c>--kind</c> and of <see cref="SandboxRecord.Kind"/>: "netns", "microvm".</summary>
    string Name { get; }

    /// <summary>
    /// Creates the host interface <see cref="SandboxPlan.HostInterface"/> with
    /// <see cref="SandboxPlan.HostAddress"/>/30, up, and the sandbox behind it, which must use
    /// <see cref="SandboxPlan.SandboxAddress"/> as its only source address, <see cref="SandboxPlan.HostAddress"/>
    /// as its default route and DNS server, and <see cref="SandboxPlan.Environment"/> for what it runs.
    /// Every step that made something pushes its undo onto <paramref name="rollback"/> first thing
    /// after it succeeds; kind-specific facts that <see cref="ExecAsync"/> and <see cref="RemoveAsync"/>
    /// need later (a process id, a socket path) go into <see cref="SandboxPlan.KindState"/>.
    /// </summary>
    Task CreateAsync(SandboxPlan plan, Rollback rollback, CancellationToken cancellation);

    /// <summary>
    /// Runs <see cref="SandboxExec.Argv"/> inside the sandbox with <see cref="SandboxExec.Environment"/>
    /// added to its environment, standard streams passed through, unable to read
    /// <see cref="SandboxExec.Confidential"/> and trusting <see cref="SandboxExec.CaBundle"/>; returns its exit code.
    /// </summary>
    Task<int> ExecAsync(SandboxRecord sandbox, SandboxExec exec, CancellationToken cancellation);

    /// <summary>
    /// Removes what <see cref="CreateAsync"/> made, including the host interface. Idempotent: it
    /// runs again after a crash half-way through, so anything already gone is not an error.
    /// </summary>
    Task RemoveAsync(SandboxRecord sandbox, CancellationToken cancellation);

    /// <summary>True while the sandbox still runs (namespace present, VM process alive): <c>vmm ls</c> and <c>vmm gc</c> ask.</summary>
    bool IsAlive(SandboxRecord sandbox);
}
