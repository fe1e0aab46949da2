using PolicyCompiler.Budgets;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Reads <c>network.budgets: { connections, connectionsPerSecond, requestsPerSecond, uploadBytesPerHour }</c>, each optional.</summary>
internal static class KitBudgetsParser
{
    /// <summary>The budgets, or null when the section is absent, empty or wholly invalid (every problem reported).</summary>
    public static BudgetLimits? Parse(KitNodeReader reader, ConfigNode node, string path)
    {
        if (KitNodeReader.IsNull(node) || reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, BudgetSyntax.Keys);
        var limits = new BudgetLimits(
            Count(reader, fields, path, "connections"),
            Count(reader, fields, path, "connectionsPerSecond"),
            Count(reader, fields, path, "requestsPerSecond"),
            Bytes(reader, fields, path, "uploadBytesPerHour"));
        return limits.IsNone ? null : limits;
    }

    private static int? Count(KitNodeReader reader, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path, string key)
    {
        if (!fields.TryGetValue(key, out var field))
        {
            return null;
        }

        string keyPath = KitNodeReader.Child(path, key);
        if (reader.String(field.Value, keyPath, required: true) is not { } text)
        {
            return null;
        }

        int? value = BudgetSyntax.ParseCount(key, text, out string? error);
        if (error is not null)
        {
            reader.Error(field.Value, keyPath, error);
        }

        return value;
    }

    private static long? Bytes(KitNodeReader reader, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path, string key)
    {
        if (!fields.TryGetValue(key, out var field))
        {
            return null;
        }

        string keyPath = KitNodeReader.Child(path, key);
        if (reader.String(field.Value, keyPath, required: true) is not { } text)
        {
            return null;
        }

        long? value = BudgetSyntax.ParseBytes(key, text, out string? error);
        if (error is not null)
        {
            reader.Error(field.Value, keyPath, error);
        }

        return value;
    }
}
