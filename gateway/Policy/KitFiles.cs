using Microsoft.Extensions.FileSystemGlobbing;
using PolicyCompiler.Kits;

namespace Gateway.Policy;

/// <summary>Finds and loads kit spec.yaml files, collecting every problem rather than stopping at the first.</summary>
internal static class KitFiles
{
    /// <summary>Config entries are paths or globs ("/etc/egress-gateway/kits/*/spec.yaml"); a glob matching nothing is fine.</summary>
    public static List<string> Expand(IReadOnlyList<string> entries)
    {
        var paths = new List<string>(entries.Count);
        foreach (string entry in entries)
        {
            if (entry.IndexOfAny(['*', '?', '[']) < 0)
            {
                paths.Add(entry);
                continue;
            }

            string root = Path.GetPathRoot(entry) ?? "/";
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(entry[root.Length..]);
            List<string> matched = [.. matcher.GetResultsInFullPath(root)];
            matched.Sort(StringComparer.Ordinal);
            paths.AddRange(matched);
        }

        return paths;
    }

    public static List<KitSpec> LoadAll(IReadOnlyList<string> paths, List<KitError> errors)
    {
        var kits = new List<KitSpec>(paths.Count);
        foreach (string given in paths)
        {
            // A kit is a directory with a spec.yaml; accept the directory too.
            string path = Directory.Exists(given) ? Path.Combine(given, "spec.yaml") : given;
            if (!KitParser.TryLoad(path, out KitSpec? kit, errors))
            {
                continue;
            }

            KitSpec? twin = kits.Find(k => k.Name == kit.Name);
            if (twin is not null)
            {
                errors.Add(new KitError(path, 0, 0, "name", $"kit \"{kit.Name}\" is also defined by {twin.FilePath}; kit names must be unique"));
                continue;
            }

            kits.Add(kit);
        }

        return kits;
    }
}
