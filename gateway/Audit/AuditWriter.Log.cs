using Microsoft.Extensions.Logging;

namespace Gateway.Audit;

/// <summary>Operator-facing log lines of the audit writer (event ids 5000–5099).</summary>
internal sealed partial class AuditWriter
{
    private static partial class Log
    {
        [LoggerMessage(5000, LogLevel.Warning, "audit: queue full ({Capacity} events): the data path now waits up to {Seconds}s per decision for the audit file; check the disk under audit.file")]
        public static partial void QueueFull(ILogger logger, int capacity, double seconds);

        [LoggerMessage(5001, LogLevel.Error, "audit: {Dropped} events dropped in total after the queue stayed full for {Seconds}s (gateway_audit_dropped_total); the audit file is missing decisions")]
        public static partial void EventsDropped(ILogger logger, long dropped, double seconds);

        [LoggerMessage(5002, LogLevel.Error, "audit: cannot write {File}: {Reason}; {Events} events lost ({Dropped} in total, gateway_audit_dropped_total)")]
        public static partial void WriteFailed(ILogger logger, string file, int events, long dropped, string reason);

        [LoggerMessage(5003, LogLevel.Warning, "audit: cannot rotate {File}: {Reason}; appending to it past audit.maxFileSize")]
        public static partial void RotateFailed(ILogger logger, string file, string reason);

        [LoggerMessage(5004, LogLevel.Warning, "audit: {Suppressed} refusals and DNS queries suppressed in total past audit.refusalsPerSecond (gateway_audit_suppressed_total); {Sandboxes} sandbox(es) flooding, each now one summary line (rule audit-rate-limit) per interval; `gateway policy log` still counts them")]
        public static partial void EventsSuppressed(ILogger logger, long suppressed, int sandboxes);
    }
}
