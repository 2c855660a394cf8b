/** Server-sent events as the console's streams send them: frames of `event:` and `data:` lines, blank-line separated. */

export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
}

/** Splits off the complete frames of `buffered`; returns them and what is left for the next chunk. */
export function takeFrames(buffered: string): { events: ServerSentEvent[]; rest: string } {
  const events: ServerSentEvent[] = [];
  let rest = buffered;
  let end: number;
  while ((end = rest.indexOf('\n\n')) >= 0) {
    const frame = rest.slice(0, end);
    rest = rest.slice(end + 2);
    let event = 'message';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    // Comment-only frames (keep-alives) carry no data.
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}
