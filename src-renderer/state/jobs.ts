import { create } from 'zustand';
import type { JobEvent, JobLogLine, JobSummary } from '../../src-main/contract/jobs';

/**
 * Jobs as the window knows them: seeded from jobs.list (so they survive a reload) and kept up
 * to date by job events. Log lines are fetched on demand (jobs.log) and extended by log events.
 */
interface JobsState {
  jobs: Record<string, JobSummary>;
  order: string[];
  logs: Record<string, JobLogLine[]>;
  setJobs(list: JobSummary[]): void;
  applyEvent(event: JobEvent): void;
  setLog(jobId: string, lines: JobLogLine[]): void;
}

function upsert(state: JobsState, job: JobSummary): Pick<JobsState, 'jobs' | 'order'> {
  const order = state.order.includes(job.id) ? state.order : [job.id, ...state.order];
  return { jobs: { ...state.jobs, [job.id]: job }, order };
}

export const useJobs = create<JobsState>((set) => ({
  jobs: {},
  order: [],
  logs: {},
  setJobs: (list) =>
    set(() => ({
      jobs: Object.fromEntries(list.map((j) => [j.id, j])),
      // jobs.list is newest first; keep that order.
      order: list.map((j) => j.id),
    })),
  applyEvent: (event) =>
    set((state) => {
      if (event.type === 'state') return upsert(state, event.job);
      if (event.type === 'progress') {
        const job = state.jobs[event.jobId];
        return job ? { jobs: { ...state.jobs, [job.id]: { ...job, progress: event.progress } } } : {};
      }
      const lines = state.logs[event.jobId] ?? [];
      if (lines.some((l) => l.seq === event.line.seq)) return {};
      return { logs: { ...state.logs, [event.jobId]: [...lines, event.line] } };
    }),
  setLog: (jobId, lines) =>
    set((state) => {
      const known = new Map((state.logs[jobId] ?? []).map((l) => [l.seq, l]));
      for (const l of lines) known.set(l.seq, l);
      return { logs: { ...state.logs, [jobId]: [...known.values()].sort((a, b) => a.seq - b.seq) } };
    }),
}));
