"""Every kind of long work an agency starts — imports, batch screening, linkage runs,
network analyses, financial monitoring and traces — read the same way: where each job
stands and what it gave (`service`), for the workspace's jobs page and `/api/jobs`."""
