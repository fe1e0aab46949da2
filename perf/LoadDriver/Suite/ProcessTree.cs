using System.Globalization;

namespace LoadDriver.Suite;

/// <summary>
/// What <c>/proc</c> says about a process and its descendants (nginx's worker, Dante's
/// children): CPU time from <c>/proc/PID/stat</c> and resident memory from <c>/proc/PID/status</c>.
/// </summary>
internal static class ProcessTree
{
    /// <summary>Clock ticks per second of <c>utime</c>/<c>stime</c> (USER_HZ, 100 on Linux).</summary>
    public const double TicksPerSecond = 100;

    /// <summary>The soft limit on open descriptors this process (and so every process it starts) has.</summary>
    public static int DescriptorLimit()
    {
        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string[] fields = line[14..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields[0] == "unlimited" ? int.MaxValue : int.Parse(fields[0], CultureInfo.InvariantCulture);
            }
        }

        return 1024;
    }

    /// <summary>Tunnels one proxy process can hold: two sockets each, and some room for its own files.</summary>
    public static int MaxTunnels() => (DescriptorLimit() - 200) / 2;

    /// <summary><paramref name="root"/> and every live descendant.</summary>
    public static List<int> Members(int root)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            string[]? fields = StatFields(pid);
            if (fields is null)
            {
                continue;
            }

            int parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (!parents.TryGetValue(parent, out List<int>? children))
            {
                parents[parent] = children = [];
            }

            children.Add(pid);
        }

        var members = new List<int> { root };
        for (int i = 0; i < members.Count && i < 100_000; i++)
        {
            if (parents.TryGetValue(members[i], out List<int>? children))
            {
                members.AddRange(children);
            }
        }

        return members;
    }

    /// <summary>User plus system CPU seconds of <paramref name="root"/>'s tree (descendants that already exited and were reaped count through cutime/cstime).</summary>
    public static double CpuSeconds(int root)
    {
        long ticks = 0;
        foreach (int pid in Members(root))
        {
            string[]? fields = StatFields(pid);
            if (fields is null)
            {
                continue;
            }

            // Fields after "pid (comm)": state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14.
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            if (pid == root)
            {
                ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>Sum of VmRSS over the tree, bytes.</summary>
    public static long ResidentBytes(int root)
    {
        long total = 0;
        foreach (int pid in Members(root))
        {
            try
            {
                foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // Exited between the listing and the read.
            }
        }

        return total;
    }

    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // comm may hold spaces and parentheses: the fields start after the last ')'.
        int close = text.LastIndexOf(')');
        return close < 0 ? null : text[(close + 2)..].Split(' ');
    }
}
