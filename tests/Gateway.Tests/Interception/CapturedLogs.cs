using System.Text;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Interception;

/// <summary>Every log line the gateway writes, at every level, kept so a test can search them for a secret.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public override string ToString()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }

    public void Dispose()
    {
    }

    private void Append(string line)
    {
        lock (_lock)
        {
            _text.AppendLine(line);
        }
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Append($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}
