using System.Collections.Immutable;
using System.Globalization;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary><c>transparent</c>, <c>limits</c>, <c>audit</c> and <c>kits</c>: numbers, durations, sizes and paths.</summary>
internal sealed partial class ConfigValidator
{
    private static readonly string[] s_transparentKeys = ["dialTlsPort", "dialHttpPort"];
    private static readonly string[] s_limitsKeys = ["maxConnections", "headerTimeout", "idleTimeout", "connectTimeout", "upstreamRequestsPerConnection", "http2ControlFramesPerSecond"];
    private static readonly string[] s_auditKeys = ["file", "maxFileSize", "keep", "refusalsPerSecond", "refusalBurst", "logRows", "logRowsPerSandbox"];

    private TransparentConfig ReadTransparent(ConfigNode? node)
    {
        ConfigSection section = Open(node, "transparent", s_transparentKeys);
        return new TransparentConfig(
            ReadInt(section, "dialTlsPort", ConfigDefaults.DialTlsPort, 1, 65535),
            ReadInt(section, "dialHttpPort", ConfigDefaults.DialHttpPort, 1, 65535));
    }

    private LimitsConfig ReadLimits(ConfigNode? node)
    {
        ConfigSection section = Open(node, "limits", s_limitsKeys);
        return new LimitsConfig(
            ReadInt(section, "maxConnections", ConfigDefaults.MaxConnections, 1, 10_000_000),
            ReadDuration(section, "headerTimeout", ConfigDefaults.HeaderTimeout),
            ReadDuration(section, "idleTimeout", ConfigDefaults.IdleTimeout),
            ReadDuration(section, "connectTimeout", ConfigDefaults.ConnectTimeout))
        {
            UpstreamRequestsPerConnection = ReadInt(section, "upstreamRequestsPerConnection", ConfigDefaults.UpstreamRequestsPerConnection, 1, 1000),
            Http2ControlFramesPerSecond = ReadInt(section, "http2ControlFramesPerSecond", ConfigDefaults.Http2ControlFramesPerSecond, 10, 1_000_000),
        };
    }

    private AuditConfig ReadAudit(ConfigNode? node)
    {
        ConfigSection section = Open(node, "audit", s_auditKeys);
        string path = section.PathOf("file");
        ConfigNode fileNode = ValueOrDefault(section, "file", ConfigDefaults.AuditFile);
        if (!TryText(fileNode, path, out string text) || !TryPath(fileNode, path, text, out string file))
        {
            fileNode = ConfigNode.Scalar(ConfigDefaults.AuditFile, ConfigOrigin.Default);
            TryPath(fileNode, path, ConfigDefaults.AuditFile, out file);
        }

        return new AuditConfig(file, ReadSize(section, "maxFileSize", ConfigDefaults.AuditMaxFileSize), ReadInt(section, "keep", ConfigDefaults.AuditKeep, 1, 1000))
        {
            RefusalsPerSecond = ReadInt(section, "refusalsPerSecond", ConfigDefaults.AuditRefusalsPerSecond, 1, 1_000_000),
            RefusalBurst = ReadInt(section, "refusalBurst", ConfigDefaults.AuditRefusalBurst, 1, 1_000_000),
            LogRows = ReadInt(section, "logRows", ConfigDefaults.AuditLogRows, 1, 10_000_000),
            LogRowsPerSandbox = ReadInt(section, "logRowsPerSandbox", ConfigDefaults.AuditLogRowsPerSandbox, 1, 10_000_000),
        };
    }

    private ImmutableArray<string> ReadKits(ConfigNode? node) => ReadPaths(node, "kits");

    private ImmutableArray<string> ReadPaths(ConfigNode? node, string path)
    {
        var paths = new List<string>();
        foreach ((ConfigNode item, string itemPath) in Items(node, path))
        {
            if (TryText(item, itemPath, out string text) && TryPath(item, itemPath, text, out string full))
            {
                paths.Add(full);
            }
        }

        return ToImmutable(paths);
    }

    private int ReadInt(ConfigSection section, string key, string defaultText, int min, int max)
    {
        ConfigNode node = ValueOrDefault(section, key, defaultText);
        int fallback = int.Parse(defaultText, CultureInfo.InvariantCulture);
        if (!TryText(node, section.PathOf(key), out string text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            Report(node, section.PathOf(key), $"\"{text}\" is not a whole number; use e.g. {defaultText}");
            return fallback;
        }

        if (value < min || value > max)
        {
            Report(node, section.PathOf(key), $"{value} is out of range; use {min}-{max}");
            return fallback;
        }

        return value;
    }

    private TimeSpan ReadDuration(ConfigSection section, string key, string defaultText)
    {
        ConfigNode node = ValueOrDefault(section, key, defaultText);
        DurationSyntax.TryParse(defaultText, out TimeSpan fallback);
        if (!TryText(node, section.PathOf(key), out string text))
        {
            return fallback;
        }

        if (!DurationSyntax.TryParse(text, out TimeSpan value))
        {
            Report(node, section.PathOf(key), $"\"{text}\" is not a duration; {DurationSyntax.Hint}");
            return fallback;
        }

        if (value <= TimeSpan.Zero)
        {
            Report(node, section.PathOf(key), $"\"{text}\" is too short; a timeout must be at least 1ms");
            return fallback;
        }

        return value;
    }

    private long ReadSize(ConfigSection section, string key, string defaultText)
    {
        const long Min = 1L << 20;
        ConfigNode node = ValueOrDefault(section, key, defaultText);
        ByteSizeSyntax.TryParse(defaultText, out long fallback);
        if (!TryText(node, section.PathOf(key), out string text))
        {
            return fallback;
        }

        if (!ByteSizeSyntax.TryParse(text, out long value))
        {
            Report(node, section.PathOf(key), $"\"{text}\" is not a size; {ByteSizeSyntax.Hint}");
            return fallback;
        }

        // Rotating every few kilobytes would turn the audit log into a file-creation storm.
        if (value < Min)
        {
            Report(node, section.PathOf(key), $"\"{text}\" is too small; use at least 1MiB");
            return fallback;
        }

        return value;
    }
}
