using PolicyCompiler.Yaml;
using YamlDotNet.RepresentationModel;

namespace Gateway.Configuration;

/// <summary>
/// Reads YAML text into a raw <see cref="ConfigNode"/> tree, through the reader kits use too
/// (<see cref="YamlDocumentReader"/>): every key and value keeps its line, so each problem can
/// point at the line to fix. Environment overrides are merged into the tree afterwards.
/// </summary>
internal static class YamlConfigReader
{
    /// <summary>
    /// Parses <paramref name="yaml"/>. Returns the root mapping, or null when the text holds no
    /// document (empty or comments only: all defaults) or is not a usable configuration, in which
    /// case the reason is in <paramref name="errors"/>.
    /// </summary>
    public static ConfigNode? Read(string yaml, string sourceName, string baseDirectory, List<string> errors)
    {
        // The configuration is the operator's own file: anchors and aliases are allowed in it.
        var problems = new List<YamlProblem>();
        YamlNode? root = YamlDocumentReader.Read(yaml, allowAliases: true, problems);
        foreach (YamlProblem problem in problems)
        {
            errors.Add(problem.Kind switch
            {
                YamlProblemKind.DuplicateKey => $"{sourceName}:{problem.Line}: duplicate key \"{problem.Detail}\"; write each key once",
                YamlProblemKind.Unterminated => $"{sourceName}: not valid YAML: an unterminated [ or {{ list or section",
                YamlProblemKind.ExtraDocument => $"{sourceName}:{problem.Line}: a second YAML document; the configuration is one document, remove the extra '---'",
                _ => $"{sourceName}:{problem.Line}: not valid YAML: {problem.Detail}",
            });
        }

        if (root is null || problems.Count > 0)
        {
            return null;
        }

        ConfigNode node = Convert(root, sourceName, baseDirectory, errors);
        if (node.Kind == ConfigNodeKind.Null)
        {
            return null;
        }

        if (node.Kind != ConfigNodeKind.Mapping)
        {
            errors.Add($"{sourceName}:{root.Start.Line}: the configuration must be a section of keys "
                + $"(stateDir, listen, policy …), found {node.Describe()}");
            return null;
        }

        return node;
    }

    private static ConfigNode Convert(YamlNode yaml, string sourceName, string baseDirectory, List<string> errors)
    {
        ConfigOrigin origin = ConfigOrigin.Yaml(sourceName, (int)yaml.Start.Line, baseDirectory);
        switch (yaml)
        {
            case YamlScalarNode scalar:
                return YamlDocumentReader.IsNull(scalar) ? ConfigNode.Null(origin) : ConfigNode.Scalar(scalar.Value ?? "", origin);

            case YamlSequenceNode sequence:
                ConfigNode list = ConfigNode.Sequence(origin);
                foreach (YamlNode item in sequence.Children)
                {
                    list.Items.Add(Convert(item, sourceName, baseDirectory, errors));
                }

                return list;

            case YamlMappingNode mapping:
                ConfigNode map = ConfigNode.Mapping(origin);
                foreach (KeyValuePair<YamlNode, YamlNode> pair in mapping.Children)
                {
                    ConfigOrigin keyOrigin = ConfigOrigin.Yaml(sourceName, (int)pair.Key.Start.Line, baseDirectory);
                    if (pair.Key is not YamlScalarNode { Value: { Length: > 0 } key })
                    {
                        errors.Add($"{sourceName}:{pair.Key.Start.Line}: a key must be a plain name");
                        continue;
                    }

                    map.Entries.Add(new ConfigEntry(key, keyOrigin, Convert(pair.Value, sourceName, baseDirectory, errors)));
                }

                return map;

            default:
                return ConfigNode.Null(origin);
        }
    }
}
