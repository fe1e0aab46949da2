using System.Globalization;

namespace LoadDriver.Suite;

/// <summary>The machine and the versions of everything measured, for the report's header.</summary>
internal static class MachineInfo
{
    public static Dictionary<string, string> Describe()
    {
        var machine = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cpu"] = CpuModel(),
            ["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) + " (this process's affinity)",
            ["onlineCpus"] = FirstLine("nproc", "--all"),
            ["kernel"] = FirstLine("uname", "-sr"),
            ["memory"] = MemTotal(),
            ["loadAverageAtStart"] = LoadAverage(),
            ["os"] = OsName(),
        };
        return machine;
    }

    public static string LoadAverage() => Read("/proc/loadavg").Trim();

    /// <summary>First line of a command's output (stdout, else stderr), or why there is none.</summary>
    public static string FirstLine(string program, params string[] arguments)
    {
        try
        {
            (int _, string output, string error) = ExternalCommand.Run(TimeSpan.FromSeconds(30), program, arguments);
            string text = output.Length > 0 ? output : error;
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return "(not installed: " + e.Message + ")";
        }
    }

    /// <summary>Versions of the gateway build and of every peer.</summary>
    public static void AddVersions(Dictionary<string, string> versions, string root)
    {
        versions["gateway"] = FirstLine("git", "-C", root, "describe", "--always", "--dirty", "--abbrev=12") + " (Release build of this checkout)";
        versions[".NET runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
        versions["squid"] = FirstLine("squid", "-v");
        versions["tinyproxy"] = FirstLine("tinyproxy", "-v");
        versions["haproxy"] = FirstLine("haproxy", "-v");
        versions["nginx"] = FirstLine("nginx", "-v");
        versions["dante"] = FirstLine("danted", "-v");
        versions["mitmproxy"] = FirstLine("mitmdump", "--version");
    }

    private static string CpuModel()
    {
        foreach (string line in Read("/proc/cpuinfo").Split('\n'))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal))
            {
                return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }

        return "unknown";
    }

    private static string MemTotal()
    {
        foreach (string line in Read("/proc/meminfo").Split('\n'))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                long kib = long.Parse(line.AsSpan(9).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                return string.Create(CultureInfo.InvariantCulture, $"{kib / 1048576.0:F1} GiB");
            }
        }

        return "unknown";
    }

    private static string OsName()
    {
        foreach (string line in Read("/etc/os-release").Split('\n'))
        {
            if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            {
                return line[12..].Trim('"');
            }
        }

        return "unknown";
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }
}
