using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace LoadDriver.Suite;

/// <summary>
/// Kernel memory held by a process tree's established TCP sockets: the sum of the buffers
/// <c>ss -tmnp</c> reports per socket (<c>skmem</c>: receive and forward-allocated, queued
/// write, option memory, backlog) plus one TCP slab object per socket (<c>/proc/slabinfo</c>),
/// the part of a socket <c>skmem</c> does not show.
/// </summary>
internal static partial class SocketMemory
{
    /// <summary>Sockets of <paramref name="pids"/> and the kernel bytes they hold.</summary>
    public static (int Sockets, long Bytes) Of(IReadOnlyCollection<int> pids)
    {
        var start = new ProcessStartInfo("ss") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])["-tmnpH", "state", "established"])
        {
            start.ArgumentList.Add(argument);
        }

        using Process ss = Process.Start(start) ?? throw new InvalidOperationException("could not start ss");
        string output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit(30_000);
        return Parse(output, pids, TcpSlabObjectSize());
    }

    /// <summary>Parses <c>ss -tmnpH</c> output (a socket line, then its <c>skmem:(…)</c> line).</summary>
    internal static (int Sockets, long Bytes) Parse(string output, IReadOnlyCollection<int> pids, long slabObject)
    {
        int sockets = 0;
        long bytes = 0;
        bool mine = false;
        foreach (string line in output.Split('\n'))
        {
            if (line.Contains("users:(", StringComparison.Ordinal))
            {
                mine = false;
                foreach (Match match in PidPattern().Matches(line))
                {
                    mine |= pids.Contains(int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
                }
            }
            else if (mine && SkmemPattern().Match(line) is { Success: true } skmem)
            {
                sockets++;
                bytes += slabObject;
                foreach (string field in (string[])["r", "f", "w", "o", "bl"])
                {
                    Match value = Regex.Match(skmem.Groups[1].Value, "(?:^|,)" + field + "([0-9]+)", RegexOptions.CultureInvariant);
                    if (value.Success)
                    {
                        bytes += long.Parse(value.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
                    }
                }

                mine = false;
            }
        }

        return (sockets, bytes);
    }

    /// <summary>Size of one object of the kernel's TCP slab cache, or 0 when unreadable.</summary>
    public static long TcpSlabObjectSize()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/slabinfo"))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[0] == "TCP")
                {
                    return long.Parse(fields[3], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        return 0;
    }

    [GeneratedRegex("pid=([0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex PidPattern();

    [GeneratedRegex(@"skmem:\(([^)]*)\)", RegexOptions.CultureInvariant)]
    private static partial Regex SkmemPattern();
}
