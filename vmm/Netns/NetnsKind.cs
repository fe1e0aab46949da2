using System.Diagnostics;
using System.Globalization;
using Vmm.Network;
using Vmm.Sandboxes;

namespace Vmm.Netns;

/// <summary>
/// A sandbox that is a network namespace (<c>ip netns</c>) joined to the host by a veth pair:
/// the host end is the block's interface, the sandbox end is <c>eth0</c> inside the namespace,
/// with loopback up, a default route via the host end, and
/// <c>/etc/netns/NAME/resolv.conf</c> naming the host end as its only resolver and a
/// <c>hosts</c> of its own (<c>ip netns exec</c> bind-mounts them over <c>/etc</c>'s). What runs
/// in it runs under bubblewrap (<see cref="Bubblewrap"/>).
/// </summary>
internal sealed class NetnsKind : ISandboxKind
{
    /// <summary>The sandbox end's name inside the namespace.</summary>
    public const string SandboxInterface = "eth0";

    /// <inheritdoc/>
    public string Name => "netns";

    /// <inheritdoc/>
    public async Task CreateAsync(SandboxPlan plan, Rollback rollback, CancellationToken cancellation)
    {
        string ns = plan.Name;
        await HostCommand.RunAsync("ip", ["netns", "add", ns], cancellation: cancellation).ConfigureAwait(false);
        rollback.Push("network namespace " + ns, () => DeleteNamespaceAsync(ns));

        // The peer gets a temporary name unique on the host, then eth0 once inside the namespace.
        string peer = plan.HostInterface + "p";
        await HostCommand.RunAsync("ip", ["link", "add", plan.HostInterface, "type", "veth", "peer", "name", peer], cancellation: cancellation).ConfigureAwait(false);
        rollback.Push("veth " + plan.HostInterface, () => HostLinks.DeleteAsync(plan.HostInterface));
        await HostCommand.RunAsync("ip", ["link", "set", peer, "netns", ns], cancellation: cancellation).ConfigureAwait(false);
        await HostLinks.AddressAsync(plan, cancellation).ConfigureAwait(false);

        string cidr = plan.SandboxAddress + "/" + plan.PrefixLength.ToString(CultureInfo.InvariantCulture);
        await InsideAsync(ns, ["link", "set", peer, "name", SandboxInterface], cancellation).ConfigureAwait(false);
        await InsideAsync(ns, ["addr", "add", cidr, "dev", SandboxInterface], cancellation).ConfigureAwait(false);
        await InsideAsync(ns, ["link", "set", "lo", "up"], cancellation).ConfigureAwait(false);
        await InsideAsync(ns, ["link", "set", SandboxInterface, "up"], cancellation).ConfigureAwait(false);
        await InsideAsync(ns, ["route", "add", "default", "via", plan.HostAddress.ToString()], cancellation).ConfigureAwait(false);

        // ping without CAP_NET_RAW (ICMP datagram sockets): echo to the gateway is allowed, and the
        // sandbox's processes hold no capability.
        await HostCommand.RunAsync("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"], cancellation: cancellation).ConfigureAwait(false);

        string etc = EtcDirectory(ns);
        Directory.CreateDirectory(etc);
        rollback.Push(etc, () => DeleteEtcAsync(ns));
        await File.WriteAllTextAsync(Path.Combine(etc, "resolv.conf"), $"nameserver {plan.HostAddress}\noptions timeout:2 attempts:2\n", cancellation).ConfigureAwait(false);

        // Names come from the gateway's resolver only: the host's /etc/hosts may map names to the
        // host's own or internal addresses, which would bypass the gateway's answer (and its log).
        await File.WriteAllTextAsync(Path.Combine(etc, "hosts"), $"127.0.0.1 localhost\n127.0.1.1 {ns}\n::1 localhost ip6-localhost ip6-loopback\n", cancellation).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<int> ExecAsync(SandboxRecord sandbox, SandboxExec exec, CancellationToken cancellation)
    {
        SandboxUser user = SandboxUser.Resolve(exec.User);
        List<string> hide = await HiddenFromAsync(user, exec.Confidential, cancellation).ConfigureAwait(false);
        var start = new ProcessStartInfo("ip") { UseShellExecute = false };
        foreach (string arg in (string[])["netns", "exec", sandbox.Name, .. Bubblewrap.Arguments(sandbox.Name, user, hide, exec.CaBundle, sandbox.Workdir, exec.Argv)])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach ((string name, string value) in SandboxEnvironment.ForExec(exec.Environment, sandbox.Workdir ?? user.Home))
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start) ?? throw new HostCommandException("cannot start ip netns exec");
        try
        {
            await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;
    }

    /// <summary>
    /// The confidential paths to cover for <paramref name="user"/>: those that exist and that the user
    /// can reach (the kernel says, by a <c>stat</c> run as that user), less those under the private
    /// <c>/tmp</c> and <c>/run</c>, which the sandbox never sees anyway.
    /// </summary>
    internal static async Task<List<string>> HiddenFromAsync(SandboxUser user, IReadOnlyList<string> confidential, CancellationToken cancellation)
    {
        var candidates = new List<string>();
        foreach (string path in confidential)
        {
            if (!IsUnder(path, "/tmp") && !IsUnder(path, "/run") && (File.Exists(path) || Directory.Exists(path)))
            {
                candidates.Add(path);
            }
        }

        if (user.IsRoot || candidates.Count == 0)
        {
            return candidates;
        }

        (_, string reachable, _) = await HostCommand.TryRunAsync(
            "setpriv",
            ["--reuid=" + user.Uid.ToString(CultureInfo.InvariantCulture), "--regid=" + user.Gid.ToString(CultureInfo.InvariantCulture), "--clear-groups",
                "--", "stat", "-c", "%n", "--", .. candidates],
            cancellation: cancellation).ConfigureAwait(false);
        var hide = new List<string>();
        foreach (string line in reachable.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidates.Contains(line))
            {
                hide.Add(line);
            }
        }

        return hide;
    }

    private static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);

    /// <inheritdoc/>
    public async Task RemoveAsync(SandboxRecord sandbox, CancellationToken cancellation)
    {
        await HostLinks.DeleteAsync(sandbox.HostInterface).ConfigureAwait(false);
        await DeleteNamespaceAsync(sandbox.Name).ConfigureAwait(false);
        await DeleteEtcAsync(sandbox.Name).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public bool IsAlive(SandboxRecord sandbox) => File.Exists(NamespacePath(sandbox.Name));

    private static string NamespacePath(string name) => Path.Combine("/run/netns", name);

    private static string EtcDirectory(string name) => Path.Combine("/etc/netns", name);

    private static Task InsideAsync(string ns, string[] ipArgs, CancellationToken cancellation) =>
        HostCommand.RunAsync("ip", ["-n", ns, .. ipArgs], cancellation: cancellation);

    private static async Task DeleteNamespaceAsync(string name)
    {
        if (!File.Exists(NamespacePath(name)))
        {
            return;
        }

        // A process left inside would keep the namespace alive after its name is gone: the sandbox's
        // processes go with it.
        (int listed, string pids, _) = await HostCommand.TryRunAsync("ip", ["netns", "pids", name]).ConfigureAwait(false);
        if (listed == 0 && pids.Trim().Length > 0)
        {
            foreach (string pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Kill(int.Parse(pid, CultureInfo.InvariantCulture));
            }
        }

        // Deleting the namespace destroys its eth0 and with it the host end of the veth pair.
        (int exit, _, string stderr) = await HostCommand.TryRunAsync("ip", ["netns", "del", name]).ConfigureAwait(false);
        if (exit != 0 && File.Exists(NamespacePath(name)))
        {
            throw new HostCommandException($"`ip netns del {name}` failed: {stderr.Trim()}");
        }
    }

    private static void Kill(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    private static Task DeleteEtcAsync(string name)
    {
        string etc = EtcDirectory(name);
        if (Directory.Exists(etc))
        {
            Directory.Delete(etc, recursive: true);
        }

        return Task.CompletedTask;
    }
}
