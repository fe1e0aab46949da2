using PolicyCompiler.Kits;

namespace Gateway.Cli;

/// <summary>Loads kit spec.yaml files; any invalid kit stops the command with every problem listed.</summary>
internal static class KitFiles
{
    public static List<KitSpec> LoadAll(IReadOnlyList<string> paths)
    {
        var kits = new List<KitSpec>(paths.Count);
        var errors = new List<KitError>();
        foreach (string path in paths)
        {
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

        if (errors.Count > 0)
        {
            throw new CliException(string.Join(Environment.NewLine + "gateway: ", errors));
        }

        return kits;
    }
}
