using System.Globalization;
using Vmm.Sandboxes;

namespace Vmm.Netns;

/// <summary>
/// The command line that confines a netns sandbox's process with bubblewrap (Debian
/// <c>bubblewrap</c>, what srt and Flatpak use), run inside the sandbox's network namespace:
/// <list type="bullet">
/// <item>its own user, PID, IPC, UTS and cgroup namespaces, a private <c>/proc</c> (the gateway's
/// process, its <c>environ</c> and <c>mem</c>, are not even visible), a minimal <c>/dev</c>, and a
/// private <c>/tmp</c> and <c>/run</c> (no host sockets);</item>
/// <item>no capabilities, <c>no_new_privs</c> (bubblewrap sets it), no further user namespaces
/// (<c>--disable-userns</c>: nothing inside can gain capabilities over a namespace of its own), a
/// new session (no TIOCSTI into the caller's terminal);</item>
/// <item>an unprivileged host user by default: <c>setpriv</c> drops to it before bubblewrap
/// starts, so bubblewrap runs unprivileged and maps only that user; with <c>--user root</c>
/// bubblewrap runs as root and the sandbox's root maps to the host's, still without capabilities;</item>
/// <item>the host's filesystem read-only, the confidential paths covered (an empty tmpfs over a
/// directory, <c>/dev/null</c> over a file), the CA bundle over the system bundle, and the
/// workdir read-write at its own path.</item>
/// </list>
/// </summary>
internal static class Bubblewrap
{
    /// <summary>The program.</summary>
    public const string Program = "bwrap";

    /// <summary>
    /// The argv after <c>ip netns exec NAME</c>. <paramref name="hide"/> lists only paths that exist
    /// and that the user could reach (bubblewrap, running as that user, cannot mount over a path it
    /// cannot reach; and such a path needs no hiding).
    /// </summary>
    public static List<string> Arguments(
        string name, SandboxUser user, IReadOnlyList<string> hide, string? caBundle, string? workdir, IReadOnlyList<string> argv)
    {
        var args = new List<string>();
        if (!user.IsRoot)
        {
            args.AddRange(["setpriv", "--reuid=" + Id(user.Uid), "--regid=" + Id(user.Gid), "--clear-groups", "--"]);
        }

        args.AddRange([Program,
            "--unshare-user", "--disable-userns", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", name, "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/run"]);
        if (user.IsRoot)
        {
            args.AddRange(["--uid", "0", "--gid", "0"]);
        }

        foreach (string path in hide)
        {
            args.AddRange(Directory.Exists(path) ? ["--tmpfs", path] : ["--ro-bind", "/dev/null", path]);
        }

        if (caBundle is not null && File.Exists(CaBundle.PathInside))
        {
            args.AddRange(["--ro-bind", caBundle, CaBundle.PathInside]);
        }

        if (workdir is not null)
        {
            args.AddRange(["--bind", workdir, workdir]);
        }

        args.AddRange(["--chdir", workdir ?? user.Home, "--"]);
        args.AddRange(argv);
        return args;
    }

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);
}
