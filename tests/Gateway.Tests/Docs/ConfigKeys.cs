using Gateway.Configuration;
using Gateway.Tests.Configuration;

namespace Gateway.Tests.Docs;

/// <summary>
/// Every configuration key the validator accepts, learnt from the validator itself: an unknown
/// key in a section makes it list that section's valid keys, so probing each key as a section, a
/// list of sections and a map of named sections discovers the whole tree. Nothing is listed by
/// hand, so a key added to the code is a key the documentation tests ask for.
/// Paths read <c>listen.forward</c>, <c>sandboxes[].name</c>, <c>credentials.sources.&lt;name&gt;.env</c>.
/// </summary>
internal static class ConfigKeys
{
    private const string Probe = "zqxjkvbnmprobe";
    private const string ValidKeys = ": unknown key; valid keys are ";
    private const int MaxDepth = 6;

    private static readonly Lazy<IReadOnlyList<string>> s_all = new(() =>
    {
        var paths = new List<string>();
        Walk([], paths);
        return paths;
    });

    /// <summary>Every key path, sections included, in the validator's order.</summary>
    public static IReadOnlyList<string> All => s_all.Value;

    private static void Walk(List<Segment> section, List<string> paths)
    {
        IReadOnlyList<string>? keys = KeysOf(section);
        Assert.True(keys is not null, $"the validator lists no keys for \"{Format(section)}\"");
        foreach (string key in keys)
        {
            List<Segment> child = [.. section, new Segment(key, SegmentKind.Key)];
            paths.Add(Format(child));
            if (child.Count >= MaxDepth)
            {
                continue;
            }

            // A key is a section, a list of sections, a map of named sections, or a value.
            foreach (SegmentKind shape in (SegmentKind[])[SegmentKind.Key, SegmentKind.Item, SegmentKind.Name])
            {
                List<Segment> nested = shape == SegmentKind.Key ? child : [.. child, new Segment("", shape)];
                if (KeysOf(nested) is not null)
                {
                    if (shape != SegmentKind.Key)
                    {
                        paths.Add(Format(nested));
                    }

                    Walk(nested, paths);
                    break;
                }
            }
        }
    }

    // Puts an unknown key at the section and reads the keys the validator says are valid there.
    private static IReadOnlyList<string>? KeysOf(List<Segment> section)
    {
        string yaml = "{" + Probe + ": 1}";
        string errorPath = Probe;
        for (int i = section.Count - 1; i >= 0; i--)
        {
            Segment segment = section[i];
            (yaml, errorPath) = segment.Kind switch
            {
                SegmentKind.Key => ("{" + segment.Key + ": " + yaml + "}", segment.Key + "." + errorPath),
                SegmentKind.Item => ("[" + yaml + "]", "[0]." + errorPath),
                _ => ("{probename: " + yaml + "}", "probename." + errorPath),
            };
        }

        errorPath = errorPath.Replace(".[0]", "[0]", StringComparison.Ordinal);
        var errors = new List<string>();
        ConfigLoader.TryLoadYaml(yaml, "gateway.yaml", ConfigLoader.NoEnvironment, ConfigTestLoader.Options, out _, errors);
        // Named entries may be written either way: sources.probename or sources["probename"].
        string[] markers = [" " + errorPath + ValidKeys, " " + errorPath.Replace(".probename", "[\"probename\"]", StringComparison.Ordinal) + ValidKeys];
        foreach (string error in errors)
        {
            foreach (string marker in markers)
            {
                int at = error.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    return error[(at + marker.Length)..].Split(", ");
                }
            }
        }

        return null;
    }

    private static string Format(List<Segment> path)
    {
        var text = new System.Text.StringBuilder();
        foreach (Segment segment in path)
        {
            text.Append(segment.Kind switch
            {
                SegmentKind.Key => (text.Length == 0 ? "" : ".") + segment.Key,
                SegmentKind.Item => "[]",
                _ => ".<name>",
            });
        }

        return text.ToString();
    }

    private enum SegmentKind
    {
        Key,
        Item,
        Name,
    }

    private readonly record struct Segment(string Key, SegmentKind Kind);
}
