using System.Runtime.InteropServices;

namespace Security.Tests.Harness;

/// <summary>RLIMIT_NOFILE of this process (and so of the gateway processes it starts): read, and raised when root allows it.</summary>
internal static partial class FileLimit
{
    private const int RlimitNofile = 7;

    /// <summary>Raises the soft and hard limits to at least <paramref name="wanted"/> if it can; returns the soft limit now in force.</summary>
    public static ulong Raise(ulong wanted)
    {
        if (GetRLimit(RlimitNofile, out RLimit limit) != 0)
        {
            return 0;
        }

        if (limit.Current >= wanted)
        {
            return limit.Current;
        }

        // Raising the hard limit needs CAP_SYS_RESOURCE (root); otherwise the soft one goes up to the hard one.
        var raised = new RLimit { Current = wanted, Maximum = Math.Max(wanted, limit.Maximum) };
        if (SetRLimit(RlimitNofile, in raised) != 0)
        {
            raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            _ = SetRLimit(RlimitNofile, in raised);
        }

        return GetRLimit(RlimitNofile, out limit) == 0 ? limit.Current : 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
