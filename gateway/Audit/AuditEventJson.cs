using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Audit;

/// <summary>
/// The JSON Lines shape of an <see cref="AuditEvent"/>: stable camelCase names, every field
/// always present (<c>injected</c> is null when nothing was injected; <c>listener</c> and <c>reason</c> are null on a refusal-summary line) except <c>upstream</c>,
/// written only as <c>"socks5"</c> for traffic that left through the SOCKS5 proxy, and
/// <c>suppressed</c>, written only on a refusal-summary line, and <c>method</c> and <c>path</c>
/// (query string dropped), written only for an intercepted request; written with
/// <see cref="Utf8JsonWriter"/> and pre-encoded names, so writing allocates nothing.
/// Shippers (Vector, Fluent Bit, the OpenTelemetry Collector) and <c>policy log</c> read it.
/// </summary>
internal static class AuditEventJson
{
    /// <summary>
    /// Writer options for audit lines. Control characters, quotes and backslashes are always
    /// escaped (a hostile host cannot start a new line); HTML-sensitive characters are not,
    /// since nothing renders the file as HTML, and relaxed escaping keeps it greppable.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    private static readonly JsonEncodedText s_time = JsonEncodedText.Encode("time");
    private static readonly JsonEncodedText s_sandbox = JsonEncodedText.Encode("sandbox");
    private static readonly JsonEncodedText s_type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText s_host = JsonEncodedText.Encode("host");
    private static readonly JsonEncodedText s_port = JsonEncodedText.Encode("port");
    private static readonly JsonEncodedText s_proxy = JsonEncodedText.Encode("proxy");
    private static readonly JsonEncodedText s_listener = JsonEncodedText.Encode("listener");
    private static readonly JsonEncodedText s_reason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText s_rule = JsonEncodedText.Encode("rule");
    private static readonly JsonEncodedText s_ruleId = JsonEncodedText.Encode("ruleId");
    private static readonly JsonEncodedText s_decision = JsonEncodedText.Encode("decision");
    private static readonly JsonEncodedText s_wouldBlock = JsonEncodedText.Encode("wouldBlock");
    private static readonly JsonEncodedText s_status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText s_bytesIn = JsonEncodedText.Encode("bytesIn");
    private static readonly JsonEncodedText s_bytesOut = JsonEncodedText.Encode("bytesOut");
    private static readonly JsonEncodedText s_durationMs = JsonEncodedText.Encode("durationMs");
    private static readonly JsonEncodedText s_injected = JsonEncodedText.Encode("injected");
    private static readonly JsonEncodedText s_upstream = JsonEncodedText.Encode("upstream");
    private static readonly JsonEncodedText s_suppressed = JsonEncodedText.Encode("suppressed");
    private static readonly JsonEncodedText s_method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText s_path = JsonEncodedText.Encode("path");

    /// <summary>Writes <paramref name="e"/> as one JSON object (no newline).</summary>
    public static void Write(Utf8JsonWriter writer, in AuditEvent e)
    {
        writer.WriteStartObject();
        writer.WriteString(s_time, e.Time);
        writer.WriteString(s_sandbox, e.Sandbox);
        writer.WriteString(s_type, e.Type);
        writer.WriteString(s_host, e.Host);
        writer.WriteNumber(s_port, e.Port);
        writer.WriteString(s_proxy, e.Proxy);
        WriteNullable(writer, s_listener, e.Listener);
        writer.WriteString(s_rule, e.Rule);
        writer.WriteString(s_ruleId, e.RuleId);
        writer.WriteString(s_decision, e.Decision);
        WriteNullable(writer, s_reason, e.Reason);
        writer.WriteBoolean(s_wouldBlock, e.WouldBlock);
        writer.WriteNumber(s_status, e.Status);
        writer.WriteNumber(s_bytesIn, e.BytesIn);
        writer.WriteNumber(s_bytesOut, e.BytesOut);
        writer.WriteNumber(s_durationMs, e.DurationMs);
        WriteNullable(writer, s_injected, e.Injected);

        if (e.Upstream is not null)
        {
            writer.WriteString(s_upstream, e.Upstream);
        }

        if (e.Suppressed > 0)
        {
            writer.WriteNumber(s_suppressed, e.Suppressed);
        }

        if (e.Method is not null)
        {
            writer.WriteString(s_method, e.Method);
            writer.WriteString(s_path, e.Path);
        }

        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>One event as its JSON line (no newline) in a string: for the CLI and the admin API, never the data path.</summary>
    public static string ToLine(in AuditEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, in e);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Reads one line written by <see cref="Write"/>. False when the line is not a JSON object
    /// or lacks time, sandbox, host or decision (a torn or foreign line); unknown fields are
    /// skipped, so newer writers stay readable.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> line, out AuditEvent e)
    {
        e = default;
        try
        {
            return TryReadCore(line, out e);
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false; // a value of the wrong JSON type
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool TryReadCore(ReadOnlySpan<byte> line, out AuditEvent e)
    {
        e = default;
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        DateTimeOffset? time = null;
        string? sandbox = null, host = null, decision = null;
        string type = AuditEvent.NetworkType, proxy = string.Empty, rule = string.Empty, ruleId = string.Empty;
        string? injected = null, upstream = null, listener = null, reason = null, method = null, path = null;
        int port = 0, status = 0;
        long bytesIn = 0, bytesOut = 0, durationMs = 0, suppressed = 0;
        bool wouldBlock = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                if (time is null || sandbox is null || host is null || decision is null || reader.Read())
                {
                    return false;
                }

                e = new AuditEvent
                {
                    Time = time.Value,
                    Sandbox = sandbox,
                    Type = type,
                    Host = host,
                    Port = port,
                    Proxy = proxy,
                    Listener = listener,
                    Reason = reason,
                    Rule = rule,
                    RuleId = ruleId,
                    Decision = decision,
                    WouldBlock = wouldBlock,
                    Status = status,
                    BytesIn = bytesIn,
                    BytesOut = bytesOut,
                    DurationMs = durationMs,
                    Injected = injected,
                    Upstream = upstream,
                    Suppressed = suppressed,
                    Method = method,
                    Path = path,
                };
                return true;
            }

            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                return false;
            }

            if (reader.ValueTextEquals(s_time.EncodedUtf8Bytes))
            {
                reader.Read();
                time = reader.GetDateTimeOffset();
            }
            else if (reader.ValueTextEquals(s_sandbox.EncodedUtf8Bytes))
            {
                sandbox = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_type.EncodedUtf8Bytes))
            {
                type = ReadString(ref reader) ?? AuditEvent.NetworkType;
            }
            else if (reader.ValueTextEquals(s_host.EncodedUtf8Bytes))
            {
                host = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_method.EncodedUtf8Bytes))
            {
                method = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_path.EncodedUtf8Bytes))
            {
                path = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_port.EncodedUtf8Bytes))
            {
                reader.Read();
                port = reader.GetInt32();
            }
            else if (reader.ValueTextEquals(s_proxy.EncodedUtf8Bytes))
            {
                proxy = ReadString(ref reader) ?? string.Empty;
            }
            else if (reader.ValueTextEquals(s_listener.EncodedUtf8Bytes))
            {
                listener = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_reason.EncodedUtf8Bytes))
            {
                reason = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_rule.EncodedUtf8Bytes))
            {
                rule = ReadString(ref reader) ?? string.Empty;
            }
            else if (reader.ValueTextEquals(s_ruleId.EncodedUtf8Bytes))
            {
                ruleId = ReadString(ref reader) ?? string.Empty;
            }
            else if (reader.ValueTextEquals(s_decision.EncodedUtf8Bytes))
            {
                decision = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_wouldBlock.EncodedUtf8Bytes))
            {
                reader.Read();
                wouldBlock = reader.GetBoolean();
            }
            else if (reader.ValueTextEquals(s_status.EncodedUtf8Bytes))
            {
                reader.Read();
                status = reader.GetInt32();
            }
            else if (reader.ValueTextEquals(s_bytesIn.EncodedUtf8Bytes))
            {
                reader.Read();
                bytesIn = reader.GetInt64();
            }
            else if (reader.ValueTextEquals(s_bytesOut.EncodedUtf8Bytes))
            {
                reader.Read();
                bytesOut = reader.GetInt64();
            }
            else if (reader.ValueTextEquals(s_durationMs.EncodedUtf8Bytes))
            {
                reader.Read();
                durationMs = reader.GetInt64();
            }
            else if (reader.ValueTextEquals(s_injected.EncodedUtf8Bytes))
            {
                injected = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_upstream.EncodedUtf8Bytes))
            {
                upstream = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(s_suppressed.EncodedUtf8Bytes))
            {
                reader.Read();
                suppressed = reader.GetInt64();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return false; // the object never closed: a torn line
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
    }
}
