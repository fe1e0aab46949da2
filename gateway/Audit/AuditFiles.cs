using System.Globalization;

namespace Gateway.Audit;

/// <summary>Names of the live audit file and its rotated predecessors (<c>audit.jsonl.1</c> is the newest).</summary>
internal static class AuditFiles
{
    /// <summary>The <paramref name="generation"/>-th rotated file of <paramref name="live"/>.</summary>
    public static string Rotated(string live, int generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{live}.{generation}");

    /// <summary>Every existing audit file of <paramref name="live"/>, oldest first, the live file last.</summary>
    public static List<string> OldestFirst(string live)
    {
        var rotated = new List<(int Generation, string Path)>();
        string? directory = Path.GetDirectoryName(live);
        string prefix = Path.GetFileName(live) + ".";
        if (directory is not null && Directory.Exists(directory))
        {
            foreach (string path in Directory.EnumerateFiles(directory, prefix + "*"))
            {
                // The pattern also matches the live file itself (a quirk of .NET's wildcards).
                ReadOnlySpan<char> name = Path.GetFileName(path.AsSpan());
                if (name.Length <= prefix.Length)
                {
                    continue;
                }

                ReadOnlySpan<char> suffix = name[prefix.Length..];
                if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out int generation) && generation > 0)
                {
                    rotated.Add((generation, path));
                }
            }
        }

        rotated.Sort(static (a, b) => b.Generation.CompareTo(a.Generation));
        var files = new List<string>(rotated.Count + 1);
        foreach ((_, string path) in rotated)
        {
            files.Add(path);
        }

        if (File.Exists(live))
        {
            files.Add(live);
        }

        return files;
    }
}
