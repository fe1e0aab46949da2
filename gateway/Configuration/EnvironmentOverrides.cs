using System.Globalization;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary>
/// Merges <c>GATEWAY__SECTION__KEY</c> environment variables over the raw tree, the way
/// Microsoft.Extensions.Configuration reads them: <c>__</c> separates keys, keys match
/// case-insensitively, numeric keys address list items (<c>GATEWAY__KITS__0</c>) and merge
/// into the file's list item by item. An empty variable is an explicit null, which also
/// clears a list before indexed variables refill it.
/// </summary>
internal static class EnvironmentOverrides
{
    /// <summary>The prefix that marks a variable as a configuration override.</summary>
    public const string Prefix = "GATEWAY__";

    private const string Separator = "__";

    /// <summary>Returns <paramref name="root"/> with every override applied (a new root if there was none).</summary>
    public static ConfigNode? Apply(ConfigNode? root, IReadOnlyDictionary<string, string?> environment, List<string> errors)
    {
        var tree = new Pending("GATEWAY", "", "");

        // Sorted so that messages and the outcome never depend on the environment's enumeration order.
        foreach (KeyValuePair<string, string?> variable in environment.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (!variable.Key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string[] segments = variable.Key[Prefix.Length..].Split(Separator);
            if (Array.IndexOf(segments, "") >= 0)
            {
                errors.Add($"{variable.Key}: empty key; write GATEWAY__SECTION__KEY, e.g. GATEWAY__LISTEN__FORWARD");
                continue;
            }

            // Each node is named by the variable that created it, spelt as that variable spells it.
            Pending node = tree;
            int end = Prefix.Length;
            foreach (string segment in segments)
            {
                end += segment.Length;
                node = node.Child(segment, variable.Key[..end]);
                end += Separator.Length;
            }

            if (node.HasValue)
            {
                errors.Add($"{variable.Key}: also set as {node.Name}; keep one");
                continue;
            }

            node.HasValue = true;
            node.Value = variable.Value ?? "";
        }

        if (tree.Children.Count == 0)
        {
            return root;
        }

        var merger = new Merger(errors);
        return merger.MergeChildren(root ?? ConfigNode.Mapping(ConfigOrigin.Default), tree);
    }

    /// <summary>A node of the variables' own tree, before it is merged.</summary>
    private sealed class Pending(string name, string segment, string keyPath)
    {
        public string Name { get; } = name;

        public string Segment { get; } = segment;

        /// <summary>The key path the variable sets, spelt as the variable spells it.</summary>
        public string KeyPath { get; } = keyPath;

        public bool HasValue { get; set; }

        public string Value { get; set; } = "";

        public Dictionary<string, Pending> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Pending Child(string segment, string name)
        {
            if (!Children.TryGetValue(segment, out Pending? child))
            {
                child = new Pending(name, segment, TryIndex(segment, out int index) ? YamlKeyPath.Index(KeyPath, index) : YamlKeyPath.Child(KeyPath, segment));
                Children.Add(segment, child);
            }

            return child;
        }
    }

    private static bool TryIndex(string segment, out int index) =>
        int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out index);

    private sealed class Merger(List<string> errors)
    {
        public ConfigNode Merge(ConfigNode? target, Pending pending)
        {
            ConfigOrigin origin = ConfigOrigin.Environment(pending.Name, pending.KeyPath);
            if (pending.HasValue)
            {
                if (pending.Children.Count == 0)
                {
                    return pending.Value.Length == 0 ? ConfigNode.Null(origin) : ConfigNode.Scalar(pending.Value, origin);
                }

                if (pending.Value.Length > 0)
                {
                    string child = pending.Children.Values.Select(c => c.Name).Order(StringComparer.Ordinal).First();
                    errors.Add($"{pending.Name}: set both as a value and through {child}; keep one");
                    return target ?? ConfigNode.Null(origin);
                }

                // Empty value plus children: start from nothing, so a list can be replaced, not only patched.
                target = null;
            }

            if (target is null || target.Kind is ConfigNodeKind.Null or ConfigNodeKind.Scalar)
            {
                target = pending.Children.Keys.All(k => TryIndex(k, out _))
                    ? ConfigNode.Sequence(origin)
                    : ConfigNode.Mapping(origin);
            }

            return MergeChildren(target, pending);
        }

        public ConfigNode MergeChildren(ConfigNode target, Pending pending)
        {
            if (target.Kind == ConfigNodeKind.Sequence)
            {
                MergeItems(target, pending);
                return target;
            }

            foreach (Pending child in pending.Children.Values.OrderBy(c => c.Segment, StringComparer.Ordinal))
            {
                ConfigEntry? entry = target.FindIgnoringCase(child.Segment);
                if (entry is null)
                {
                    target.Entries.Add(new ConfigEntry(
                        child.Segment, ConfigOrigin.Environment(child.Name, child.KeyPath), Merge(null, child)));
                }
                else
                {
                    entry.Value = Merge(entry.Value, child);
                }
            }

            return target;
        }

        private void MergeItems(ConfigNode list, Pending pending)
        {
            var indexed = new List<(int Index, Pending Node)>();
            foreach (Pending child in pending.Children.Values)
            {
                if (TryIndex(child.Segment, out int index))
                {
                    indexed.Add((index, child));
                }
                else
                {
                    errors.Add($"{child.Name}: \"{child.Segment}\" is not a list index; "
                        + $"number list items from 0, e.g. {pending.Name}__0");
                }
            }

            foreach ((int index, Pending child) in indexed.OrderBy(i => i.Index))
            {
                if (index < list.Items.Count)
                {
                    list.Items[index] = Merge(list.Items[index], child);
                }
                else if (index == list.Items.Count)
                {
                    list.Items.Add(Merge(null, child));
                }
                else
                {
                    errors.Add($"{child.Name}: index {index} skips index {list.Items.Count}; "
                        + "number list items from 0 without gaps");
                }
            }
        }
    }
}
