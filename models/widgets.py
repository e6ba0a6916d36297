"""The demo's own dashboard: what an ops team would declare (admin_app.dashboard)."""

from sqlmodel import col

from admin_app.dashboard import Dashboard, Kpi, Ranking, TimeSeries
from models.tables import Order, OrderStatus

OPEN = col(Order.status).not_in([OrderStatus.shipped, OrderStatus.cancelled])

dashboard = Dashboard(
    TimeSeries("Orders per day", Order, Order.created_at, by=Order.status),
    Kpi("Open orders", Order, where=OPEN),
    Ranking("Top requesters", Order, by=Order.requester_id, heading="Orders"),
)
