using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Gateway.Tests.Docs;

/// <summary>The README's configuration reference and ops/config/gateway.yaml against the keys the validator accepts.</summary>
public sealed partial class ConfigReferenceTests
{
    private const string ExampleConfig = "ops/config/gateway.yaml";

    [Fact]
    public void Probe_FindsSectionsListsAndNamedEntries()
    {
        // Guards the probe itself: if it found nothing, the tests below would pass vacuously.
        Assert.Contains("listen.forward", ConfigKeys.All);
        Assert.Contains("sandboxes[].name", ConfigKeys.All);
        Assert.Contains("credentials.sources.<name>.env", ConfigKeys.All);
        Assert.True(ConfigKeys.All.Count > 30, string.Join("\n", ConfigKeys.All));
    }

    [Fact]
    public void Readme_DocumentsEveryConfigurationKey()
    {
        string reference = ReadmeConfigurationSection();
        string[] missing = [.. Leaves().Where(path => !reference.Contains('`' + path + '`', StringComparison.Ordinal))];
        Assert.True(missing.Length == 0, "README.md \"Configuration\" does not document: " + string.Join(", ", missing));
    }

    [Fact]
    public void Readme_DocumentsOnlyKeysThatExist()
    {
        var known = ConfigKeys.All.ToHashSet(StringComparer.Ordinal);
        string[] unknown = [.. ReferenceRow().Matches(ReadmeConfigurationSection()).Select(m => m.Groups["key"].Value).Where(k => !known.Contains(k))];
        Assert.True(unknown.Length == 0, "README.md documents keys the gateway does not accept: " + string.Join(", ", unknown));
    }

    [Fact]
    public void ExampleConfig_SetsEveryKey()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(RepoFiles.Read(ExampleConfig)))
        {
            yaml.Load(reader);
        }

        YamlNode root = yaml.Documents[0].RootNode;
        string[] missing = [.. Leaves().Where(path => !Covers(root, Split(path), 0))];
        Assert.True(missing.Length == 0, ExampleConfig + " does not show: " + string.Join(", ", missing));
    }

    private static IEnumerable<string> Leaves() =>
        ConfigKeys.All.Where(path => !ConfigKeys.All.Any(other => other.Length > path.Length && IsParent(path, other)));

    private static bool IsParent(string path, string other) =>
        other.StartsWith(path, StringComparison.Ordinal) && other[path.Length] is '.' or '[';

    private static string ReadmeConfigurationSection()
    {
        string readme = RepoFiles.Read("README.md");
        int start = readme.IndexOf("\n## Configuration", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"## Configuration\" section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    private static List<string> Split(string path)
    {
        var segments = new List<string>();
        foreach (string part in path.Split('.'))
        {
            string rest = part;
            while (rest.EndsWith("[]", StringComparison.Ordinal))
            {
                rest = rest[..^2];
            }

            segments.Add(rest);
            for (int i = 0; i < (part.Length - rest.Length) / 2; i++)
            {
                segments.Add("[]");
            }
        }

        return segments;
    }

    // A path is shown when some node of the example lies on it: any item for "[]", any key for "<name>".
    private static bool Covers(YamlNode node, List<string> segments, int index)
    {
        if (index == segments.Count)
        {
            return true;
        }

        string segment = segments[index];
        return (segment, node) switch
        {
            ("[]", YamlSequenceNode sequence) => sequence.Children.Any(item => Covers(item, segments, index + 1)),
            ("<name>", YamlMappingNode mapping) => mapping.Children.Any(entry => Covers(entry.Value, segments, index + 1)),
            (_, YamlMappingNode mapping) => mapping.Children.TryGetValue(new YamlScalarNode(segment), out YamlNode? child) && Covers(child, segments, index + 1),
            _ => false,
        };
    }

    [GeneratedRegex(@"^\| `(?<key>[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex ReferenceRow();
}
