using Vmm.Network;

namespace Vmm.Sandboxes;

/// <summary>
/// Undo steps of a <c>create</c> in progress, run newest first when it fails, so a failed
/// create leaves nothing behind. Every undo step runs even when an earlier one fails.
/// </summary>
internal sealed class Rollback
{
    private readonly Stack<(string What, Func<Task> Undo)> _steps = new();

    /// <summary>Records how to undo something that was just made.</summary>
    public void Push(string what, Func<Task> undo) => _steps.Push((what, undo));

    /// <summary>Forgets every step: the create succeeded.</summary>
    public void Commit() => _steps.Clear();

    /// <summary>Runs every step, newest first; returns a line per step that failed.</summary>
    public async Task<List<string>> RunAsync()
    {
        var failures = new List<string>();
        while (_steps.TryPop(out (string What, Func<Task> Undo) step))
        {
            try
            {
                await step.Undo().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HostCommandException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                failures.Add($"undo {step.What}: {e.Message}");
            }
        }

        return failures;
    }
}
