using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary><c>policy.ask</c>: ask mode's hold time, bound and webhook.</summary>
internal sealed partial class ConfigValidator
{
    private static readonly string[] s_askKeys = ["enabled", "holdFor", "webhook", "webhookSecret", "webhookSecretFile", "maxPendingPerSandbox"];

    // A hold longer than this keeps a client's connection (and a connection-limit slot) for nothing:
    // agents and their HTTP libraries give up on a silent proxy well before.
    private static readonly TimeSpan s_maxHoldFor = TimeSpan.FromMinutes(10);

    private AskConfig ReadAsk(ConfigNode? node)
    {
        ConfigSection section = Open(node, "policy.ask", s_askKeys);
        AskConfig defaults = AskConfig.Disabled;
        bool enabled = ReadFlag(section, "enabled", "false");
        TimeSpan holdFor = ReadDuration(section, "holdFor", "30s");
        if (holdFor > s_maxHoldFor)
        {
            Report(section.Get("holdFor")!, section.PathOf("holdFor"), "longer than 10m; clients give up on a silent proxy long before, use e.g. 30s");
            holdFor = defaults.HoldFor;
        }

        int maxPending = ReadInt(section, "maxPendingPerSandbox", "16", 1, 1024);
        Uri? webhook = ReadWebhook(section);
        string? secret = null;
        if (section.Get("webhookSecret") is { } secretNode && TryText(secretNode, section.PathOf("webhookSecret"), out string secretText))
        {
            if (secretText.Length < 16)
            {
                Report(secretNode, section.PathOf("webhookSecret"), "shorter than 16 characters; use a long random value (e.g. `openssl rand -hex 32`)");
            }
            else
            {
                secret = secretText;
            }
        }

        string? secretFile = null;
        if (section.Get("webhookSecretFile") is { } fileNode && TryText(fileNode, section.PathOf("webhookSecretFile"), out string fileText)
            && TryPath(fileNode, section.PathOf("webhookSecretFile"), fileText, out string full))
        {
            if (!File.Exists(full))
            {
                Report(fileNode, section.PathOf("webhookSecretFile"), $"{full} does not exist");
            }
            else
            {
                secretFile = full;
            }
        }

        if (secret is not null && secretFile is not null)
        {
            Report(section.Get("webhookSecretFile")!, section.PathOf("webhookSecretFile"), "set either webhookSecret or webhookSecretFile, not both");
        }

        if (webhook is not null && secret is null && secretFile is null && section.Get("webhookSecret") is null && section.Get("webhookSecretFile") is null)
        {
            // An unsigned webhook lets anyone who can reach the receiver forge "pending" events.
            Report(section.Get("webhook")!, section.PathOf("webhook"), "needs policy.ask.webhookSecret or policy.ask.webhookSecretFile to sign its POSTs with");
        }

        return new AskConfig(enabled, holdFor, webhook, secret, secretFile, maxPending);
    }

    private Uri? ReadWebhook(ConfigSection section)
    {
        ConfigNode? node = section.Get("webhook");
        string path = section.PathOf("webhook");
        if (node is null || !TryText(node, path, out string text))
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            Report(node, path, $"\"{text}\" is not an http(s) URL; use e.g. https://hooks.example.com/gateway");
            return null;
        }

        return uri;
    }
}
