using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gateway.Configuration;

/// <summary>
/// Reads YAML text into a raw <see cref="ConfigNode"/> tree. The representation model is used
/// (not the deserializer) because it keeps the line of every key and value, so each problem
/// can point at the line to fix.
/// </summary>
internal static class YamlConfigReader
{
    private const string DuplicateKey = "Duplicate key ";

    /// <summary>
    /// Parses <paramref name="yaml"/>. Returns the root mapping, or null when the text holds no
    /// document (empty or comments only: all defaults) or is not a usable configuration, in which
    /// case the reason is in <paramref name="errors"/>.
    /// </summary>
    public static ConfigNode? Read(string yaml, string sourceName, string baseDirectory, List<string> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            // YamlDotNet messages lead with "(Line: 2, Col: 1, …)"; the line is already in our prefix.
            string message = StripMark(ex.Message);
            errors.Add(message.StartsWith(DuplicateKey, StringComparison.Ordinal)
                ? $"{sourceName}:{ex.Start.Line}: duplicate key \"{message[DuplicateKey.Length..]}\"; write each key once"
                : $"{sourceName}:{ex.Start.Line}: not valid YAML: {message}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 18 throws this (no mark) for some unterminated flow collections; still a file error.
            errors.Add($"{sourceName}: not valid YAML: an unterminated [ or {{ list or section");
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            errors.Add($"{sourceName}:{stream.Documents[1].RootNode.Start.Line}: a second YAML document; "
                + "the configuration is one document, remove the extra '---'");
            return null;
        }

        YamlNode root = stream.Documents[0].RootNode;
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
                return IsNull(scalar) ? ConfigNode.Null(origin) : ConfigNode.Scalar(scalar.Value ?? "", origin);

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

    // YAML 1.2 core schema nulls; a quoted "null" is the string.
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string StripMark(string message)
    {
        if (message.StartsWith('('))
        {
            int end = message.IndexOf("): ", StringComparison.Ordinal);
            if (end >= 0)
            {
                return message[(end + 3)..];
            }
        }

        return message;
    }
}
